import Foundation
import Models
import Postgres
import Runtime

extension DeadlineProcess {
    /// An impugnação of one atendimento (DOMAIN §3): accepted while the 30-day window is open (also
    /// before ciência); late or inadmissible filings are refused with the reason and still recorded.
    func fileImpugnacao(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, grounds: ImpugnacaoGrounds,
                        text: String, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        let reason: String? = try {
            guard let notification = try NotificationRecord.load(abi: abi, registroANS: registroANS, on: connection),
                  notification.availableOn != nil
            else { return "notificação da \(abi) para a operadora \(registroANS) não encontrada" }
            guard let atendimento = try AtendimentoRow.load(document, on: connection),
                  atendimento.abi == abi, atendimento.registroANS == registroANS
            else { return "o atendimento \(document) não faz parte da notificação da \(abi) para a operadora \(registroANS)" }
            if let windowEnd = notification.windowEnd, today > windowEnd {
                return "impugnação intempestiva: o prazo de 30 dias contados da ciência em "
                    + "\(notification.cienciaOn?.brazilian ?? "-") terminou em \(windowEnd.brazilian); "
                    + "apresentada em \(today.brazilian)"
            }
            guard atendimento.state == "notificado" else { return "o atendimento \(document) já foi impugnado" }
            return nil
        }()
        _ = try connection.execute(Self.insertImpugnacao, [
            document.value, abi.value, registroANS.value, grounds.rawValue, text, today.postgres,
            reason == nil ? "aceita" : "recusada", reason])
        if let reason {
            try emit(FilingRefused(abi: abi, registroANS: registroANS, document: document, instance: .impugnacao,
                                   filedOn: today, reason: reason), context: context)
            return .refused("impugnação recusada: \(reason). Registrada como recusada.")
        }
        _ = try connection.execute(Self.setState, [document.value, "impugnado"])
        try emit(ImpugnacaoFiled(abi: abi, registroANS: registroANS, document: document, grounds: grounds, filedOn: today),
                 context: context)
        return .accepted("impugnação do atendimento \(document) aceita em \(today.brazilian), aguardando decisão.")
    }

    /// A recurso against the first-instance decision: accepted within 10 days of that decision's
    /// ciência (RN 358/2014 art. 28); refused, and recorded, otherwise.
    func fileRecurso(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, text: String,
                     today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        let reason: String? = try {
            guard let atendimento = try AtendimentoRow.load(document, on: connection),
                  atendimento.abi == abi, atendimento.registroANS == registroANS
            else { return "o atendimento \(document) não faz parte da notificação da \(abi) para a operadora \(registroANS)" }
            guard let decision = try DecisionRow.all(of: document, on: connection).first(where: { $0.instance == .impugnacao })
            else { return "não há decisão de impugnação do atendimento \(document) da qual recorrer" }
            if decision.result == .deferida { return "a impugnação foi deferida; não cabe recurso" }
            if let end = decision.recursoWindowEnd, today > end {
                return "recurso intempestivo: o prazo de 10 dias contados da ciência da decisão em "
                    + "\(decision.cienciaOn?.brazilian ?? "-") terminou em \(end.brazilian); apresentado em \(today.brazilian)"
            }
            guard atendimento.state == "decidido" else {
                return atendimento.state == "em_recurso" || atendimento.state == "recurso_decidido"
                    ? "já há recurso sobre o atendimento \(document)" : "a decisão sobre o atendimento \(document) já é definitiva"
            }
            return nil
        }()
        _ = try connection.execute(Self.insertRecurso, [
            document.value, abi.value, registroANS.value, text, today.postgres, reason == nil ? "aceito" : "recusado", reason])
        if let reason {
            try emit(FilingRefused(abi: abi, registroANS: registroANS, document: document, instance: .recurso,
                                   filedOn: today, reason: reason), context: context)
            return .refused("recurso recusado: \(reason). Registrado como recusado.")
        }
        _ = try connection.execute(Self.setState, [document.value, "em_recurso"])
        try ScheduledWork.cancel(kind: DeadlineWork.recursoWindowClose, key: document.value, on: connection)
        try emit(RecursoFiled(abi: abi, registroANS: registroANS, document: document, filedOn: today), context: context)
        return .accepted("recurso do atendimento \(document) aceito em \(today.brazilian), aguardando decisão.")
    }

    /// A decision on the impugnação (first instance) or on the recurso (second, final), made available
    /// today; its tacit ciência is scheduled 10 days later.
    func decide(document: SUSDocumentNumber, instance: DecisionInstance, result: DecisionResult, amount: Money?,
                today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        guard let atendimento = try AtendimentoRow.load(document, on: connection) else {
            return .refused("atendimento \(document) não encontrado")
        }
        let expected = instance == .impugnacao ? "impugnado" : "em_recurso"
        guard atendimento.state == expected else {
            return .refused(instance == .impugnacao
                ? "o atendimento \(document) não tem impugnação aguardando decisão"
                : "o atendimento \(document) não tem recurso aguardando decisão")
        }
        let decisions = try DecisionRow.all(of: document, on: connection)
        let standing = decisions.first.map { $0.result == .indeferida ? atendimento.originalAmount : $0.amount }
            ?? atendimento.originalAmount
        let value: Money
        switch result {
        case .deferida: value = .zero
        case .indeferida: value = standing
        case .parcialmenteDeferida:
            guard let amount else { return .refused("decisão parcial exige o novo valor (--valor)") }
            guard amount > .zero, amount < standing else {
                return .refused("o novo valor (\(amount)) deve ser maior que zero e menor que o valor em discussão (\(standing))")
            }
            value = amount
        }
        if result != .parcialmenteDeferida, amount != nil {
            return .refused("--valor só se aplica à decisão parcial")
        }
        _ = try connection.execute(Self.insertDecision, [
            document.value, instance.rawValue, result.rawValue, value.centavos, today.postgres])
        _ = try connection.execute(Self.setState, [document.value, instance == .impugnacao ? "decidido" : "recurso_decidido"])
        let tacit = calendar.ciencia(availableOn: today)
        try ScheduledWork.schedule(
            kind: DeadlineWork.decisionTacitCiencia, key: "\(document.value)/\(instance.rawValue)",
            dueAt: tacit.date.startInstant, payload: DecisionReference(document: document, instance: instance), on: connection)
        try emit(DecisionMade(abi: atendimento.abi, registroANS: atendimento.registroANS, document: document,
                              instance: instance, result: result, amount: value, decidedOn: today), context: context)
        let what = instance == .impugnacao ? "impugnação" : "recurso"
        return .accepted("\(what) do atendimento \(document) decidida em \(today.brazilian): \(result.nome), valor \(value). "
            + "Ciência tácita da decisão em \(tacit.date.brazilian) se não registrada antes.")
    }

    static let insertImpugnacao = PostgresStatement("""
        INSERT INTO impugnacoes (document, abi, registro_ans, grounds, text, filed_on, status, refusal_reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
    static let insertRecurso = PostgresStatement("""
        INSERT INTO recursos (document, abi, registro_ans, text, filed_on, status, refusal_reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """)
    static let insertDecision = PostgresStatement(
        "INSERT INTO decisions (document, instance, result, amount, decided_on) VALUES ($1, $2, $3, $4, $5)")
    static let setState = PostgresStatement("UPDATE atendimentos SET state = $2 WHERE document = $1")
}

extension DecisionResult {
    /// Portuguese name, for operators.
    var nome: String {
        switch self {
        case .deferida: "deferida (atendimento anulado)"
        case .parcialmenteDeferida: "parcialmente deferida"
        case .indeferida: "indeferida"
        }
    }
}
