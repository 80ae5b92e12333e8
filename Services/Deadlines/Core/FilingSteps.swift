import Foundation
import Models
import Postgres
import Runtime

extension DeadlineProcess {
    /// An impugnação of one atendimento (DOMAIN §3): accepted while the 30-day window is open (also
    /// before ciência); late or inadmissible filings are refused with the reason and still recorded.
    /// `competencia` is required only when the document names more than one atendimento of the
    /// notification (an APAC notified for several competências, DOMAIN §1).
    func fileImpugnacao(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?,
                        grounds: ImpugnacaoGrounds, text: String, today: CivilDate,
                        context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        let target = try filingTarget(abi: abi, registroANS: registroANS, document: document, competencia: competencia,
                                      on: connection)
        if let ambiguity = target.ambiguity { return .refused(ambiguity) }
        let found = target.atendimento, competencia = target.competencia
        let reason: String? = try {
            guard let notification = try NotificationRecord.load(abi: abi, registroANS: registroANS, on: connection),
                  notification.availableOn != nil
            else { return "notificação da \(abi) para a operadora \(registroANS) não encontrada" }
            guard let atendimento = found else { return Self.notInNotification(document, competencia, abi, registroANS) }
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
            reason == nil ? "aceita" : "recusada", reason, competencia?.description])
        guard let atendimento = found, reason == nil else {
            let reason = reason ?? ""
            try emit(FilingRefused(abi: abi, registroANS: registroANS, document: document, competencia: competencia,
                                   instance: .impugnacao, filedOn: today, reason: reason), context: context)
            return .refused("impugnação recusada: \(reason). Registrada como recusada.")
        }
        _ = try connection.execute(Self.setState, atendimento.key.parameters + ["impugnado"])
        try emit(ImpugnacaoFiled(abi: abi, registroANS: registroANS, document: document, competencia: competencia,
                                 grounds: grounds, filedOn: today), context: context)
        return .accepted("impugnação do atendimento \(atendimento.label) aceita em \(today.brazilian), aguardando decisão.")
    }

    /// A recurso against the first-instance decision: accepted within 10 days of that decision's
    /// ciência (RN 358/2014 art. 28); refused, and recorded, otherwise.
    func fileRecurso(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?,
                     text: String, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        let target = try filingTarget(abi: abi, registroANS: registroANS, document: document, competencia: competencia,
                                      on: connection)
        if let ambiguity = target.ambiguity { return .refused(ambiguity) }
        let found = target.atendimento, competencia = target.competencia
        let reason: String? = try {
            guard let atendimento = found else { return Self.notInNotification(document, competencia, abi, registroANS) }
            guard let decision = try DecisionRow.all(of: atendimento.key, on: connection).first(where: { $0.instance == .impugnacao })
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
            document.value, abi.value, registroANS.value, text, today.postgres, reason == nil ? "aceito" : "recusado", reason,
            competencia?.description])
        guard let atendimento = found, reason == nil else {
            let reason = reason ?? ""
            try emit(FilingRefused(abi: abi, registroANS: registroANS, document: document, competencia: competencia,
                                   instance: .recurso, filedOn: today, reason: reason), context: context)
            return .refused("recurso recusado: \(reason). Registrado como recusado.")
        }
        _ = try connection.execute(Self.setState, atendimento.key.parameters + ["em_recurso"])
        try ScheduledWork.cancel(kind: DeadlineWork.recursoWindowClose, key: atendimento.key.workKey, on: connection)
        try emit(RecursoFiled(abi: abi, registroANS: registroANS, document: document, competencia: competencia,
                              filedOn: today), context: context)
        return .accepted("recurso do atendimento \(atendimento.label) aceito em \(today.brazilian), aguardando decisão.")
    }

    /// A decision on the impugnação (first instance) or on the recurso (second, final), made available
    /// today; its tacit ciência is scheduled 10 days later.
    func decide(document: SUSDocumentNumber, competencia: YearMonth?, instance: DecisionInstance, result: DecisionResult,
                amount: Money?, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        let resolution = try AtendimentoRow.resolve(document, competencia: competencia, on: connection)
        guard case .found(let atendimento) = resolution else {
            return .refused(resolution.refusal(document, notFound: Self.notFound(document, competencia)) ?? "")
        }
        let expected = instance == .impugnacao ? "impugnado" : "em_recurso"
        guard atendimento.state == expected else {
            return .refused(instance == .impugnacao
                ? "o atendimento \(document) não tem impugnação aguardando decisão"
                : "o atendimento \(document) não tem recurso aguardando decisão")
        }
        let decisions = try DecisionRow.all(of: atendimento.key, on: connection)
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
        _ = try connection.execute(Self.insertDecision, atendimento.key.parameters + [
            instance.rawValue, result.rawValue, value.centavos, today.postgres])
        _ = try connection.execute(Self.setState,
                                   atendimento.key.parameters + [instance == .impugnacao ? "decidido" : "recurso_decidido"])
        let tacit = calendar.ciencia(availableOn: today)
        try ScheduledWork.schedule(
            kind: DeadlineWork.decisionTacitCiencia, key: DecisionReference.workKey(atendimento.key, instance),
            dueAt: tacit.date.startInstant, payload: DecisionReference(atendimento.key, instance: instance), on: connection)
        try emit(DecisionMade(abi: atendimento.abi, registroANS: atendimento.registroANS, document: document,
                              competencia: atendimento.key.competencia, instance: instance, result: result, amount: value,
                              decidedOn: today), context: context)
        let what = instance == .impugnacao ? "impugnação" : "recurso"
        return .accepted("\(what) do atendimento \(atendimento.label) decidida em \(today.brazilian): \(result.nome), valor \(value). "
            + "Ciência tácita da decisão em \(tacit.date.brazilian) se não registrada antes.")
    }

    /// The atendimento of the notification a filing names (nil when none: the filing is refused and
    /// recorded), the competência to record with the filing, or, when the document names several
    /// atendimentos and no competência was given, the refusal (nothing is recorded: the request is
    /// incomplete, not a filing).
    private func filingTarget(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber,
                              competencia: YearMonth?, on connection: PostgresConnection) throws
        -> (atendimento: AtendimentoRow?, competencia: YearMonth?, ambiguity: String?) {
        let resolution = try AtendimentoRow.resolve(document, competencia: competencia, abi: abi, registroANS: registroANS,
                                                    on: connection)
        switch resolution {
        case .found(let row): return (row, row.key.competencia, nil)
        case .notFound: return (nil, competencia, nil)
        case .ambiguous: return (nil, competencia, resolution.refusal(document, notFound: ""))
        }
    }

    /// Refusal for a document (and competência) that is not an atendimento of the notification.
    static func notInNotification(_ document: SUSDocumentNumber, _ competencia: YearMonth?, _ abi: ABINumber,
                                  _ registroANS: RegistroANS) -> String {
        "o atendimento \(document)\(competencia.map { " da competência \($0)" } ?? "") não faz parte da notificação "
            + "da \(abi) para a operadora \(registroANS)"
    }

    /// Refusal for a document (and competência) that is no known atendimento.
    static func notFound(_ document: SUSDocumentNumber, _ competencia: YearMonth?) -> String {
        "atendimento \(document)\(competencia.map { " da competência \($0)" } ?? "") não encontrado"
    }

    static let insertImpugnacao = PostgresStatement("""
        INSERT INTO impugnacoes (document, abi, registro_ans, grounds, text, filed_on, status, refusal_reason, competencia)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """)
    static let insertRecurso = PostgresStatement("""
        INSERT INTO recursos (document, abi, registro_ans, text, filed_on, status, refusal_reason, competencia)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
    static let insertDecision = PostgresStatement("""
        INSERT INTO decisions (abi, registro_ans, document, competencia, instance, result, amount, decided_on)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
    static let setState = PostgresStatement(
        "UPDATE atendimentos SET state = $5 WHERE abi = $1 AND registro_ans = $2 AND document = $3 AND competencia = $4")
}

extension AtendimentoRow {
    /// The document, and for an APAC its competência (how operators tell its competências apart).
    var label: String {
        kind == AtendimentoRecord.Kind.apac.rawValue ? "\(document) (competência \(key.competencia))" : "\(document)"
    }
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
