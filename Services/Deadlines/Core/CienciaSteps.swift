import Foundation
import Models
import Postgres
import Runtime

extension DeadlineProcess {
    /// Explicit ciência of a notification (RN 377/2015): the earlier of the acknowledgement and the
    /// tacit ciência wins. Refused (and recorded as refused in `requests`) when the notification is
    /// unknown, the date is in the future, or ciência already happened.
    func registerCiencia(abi: ABINumber, registroANS: RegistroANS, date: CivilDate, today: CivilDate,
                         context: HandlerContext) throws -> RequestOutcome {
        let notification = try NotificationRecord.load(abi: abi, registroANS: registroANS, on: context.connection)
        switch cienciaDecision(notification, abi: abi, registroANS: registroANS, date: date, today: today) {
        case .refused(let outcome):
            return outcome
        case .apply(let ciencia, let message):
            try applyCiencia(to: ciencia.notification, on: ciencia.date, kind: ciencia.kind, context: context)
            return .accepted(message)
        }
    }

    /// `registerCiencia` for ciências of distinct notifications, in order: the notifications are
    /// loaded with one statement and the accepted ciências applied with ``applyCiencias(_:context:)``.
    func registerCiencias(_ requests: [(abi: ABINumber, registroANS: RegistroANS, date: CivilDate)], today: CivilDate,
                          context: HandlerContext) throws -> [RequestOutcome] {
        let notifications = try NotificationRecord.loadAll(
            requests.map { NotificationReference(abi: $0.abi, registroANS: $0.registroANS) }, on: context.connection)
        var outcomes: [RequestOutcome] = [], accepted: [Ciencia] = []
        for request in requests {
            let key = DeadlineWork.notificationKey(abi: request.abi.value, registro: request.registroANS.value)
            switch cienciaDecision(notifications[key], abi: request.abi, registroANS: request.registroANS,
                                   date: request.date, today: today) {
            case .refused(let outcome):
                outcomes.append(outcome)
            case .apply(let ciencia, let message):
                accepted.append(ciencia)
                outcomes.append(.accepted(message))
            }
        }
        try applyCiencias(accepted, context: context)
        return outcomes
    }

    /// A ciência to record on a notification.
    struct Ciencia {
        let notification: NotificationRecord
        let date: CivilDate
        let kind: CienciaKind
    }

    /// What explicit ciência on `date` of `notification` (nil when unknown) comes to.
    enum CienciaDecision {
        case refused(RequestOutcome)
        /// Accepted: the ciência to apply and the Portuguese explanation for the operator.
        case apply(Ciencia, message: String)
    }

    /// The checks and dates of `registerCiencia`, without touching the database.
    func cienciaDecision(_ notification: NotificationRecord?, abi: ABINumber, registroANS: RegistroANS,
                         date: CivilDate, today: CivilDate) -> CienciaDecision {
        guard let notification, let availableOn = notification.availableOn
        else { return .refused(.refused("notificação da \(abi) para a operadora \(registroANS) não encontrada")) }
        if let cienciaOn = notification.cienciaOn {
            let how = notification.cienciaKind == .tacit ? "ciência tácita já ocorreu" : "ciência já registrada"
            return .refused(.refused("\(how) em \(cienciaOn.brazilian); o prazo de impugnação termina em "
                + "\(notification.windowEnd?.brazilian ?? "-"). Ciência de \(date.brazilian) registrada como recusada."))
        }
        if date > today {
            return .refused(.refused("a data da ciência (\(date.brazilian)) é posterior à data de hoje (\(today.brazilian))"))
        }
        let ciencia = calendar.ciencia(availableOn: availableOn, acknowledgedOn: date)
        let kind: CienciaKind = ciencia.date < calendar.ciencia(availableOn: availableOn).date ? .explicit : .tacit
        let window = calendar.impugnacaoDeadline(ciencia: ciencia.date)
        return .apply(Ciencia(notification: notification, date: ciencia.date, kind: kind),
                      message: "\(ciencia.explanation) \(window.explanation)")
    }

    /// Explicit ciência of the latest decision on `document` (of `competencia`, required when the
    /// document names more than one atendimento) that has none yet.
    func registerDecisionCiencia(document: SUSDocumentNumber, competencia: YearMonth?, date: CivilDate, today: CivilDate,
                                 context: HandlerContext) throws -> RequestOutcome {
        let resolution = try AtendimentoRow.resolve(document, competencia: competencia, on: context.connection)
        guard case .found(let atendimento) = resolution else {
            return .refused(resolution.refusal(document, notFound: Self.notFound(document, competencia)) ?? "")
        }
        guard let decision = try DecisionRow.all(of: atendimento.key, on: context.connection).last else {
            return .refused("não há decisão sobre o atendimento \(document)")
        }
        if let cienciaOn = decision.cienciaOn {
            return .refused("ciência da decisão já ocorreu em \(cienciaOn.brazilian); registrada como recusada")
        }
        if date > today {
            return .refused("a data da ciência (\(date.brazilian)) é posterior à data de hoje (\(today.brazilian))")
        }
        let ciencia = calendar.ciencia(availableOn: decision.decidedOn, acknowledgedOn: date)
        let tacit = calendar.ciencia(availableOn: decision.decidedOn).date
        let message = try applyDecisionCiencia(
            atendimento, decision: decision, on: ciencia.date, kind: ciencia.date < tacit ? .explicit : .tacit,
            today: today, context: context)
        return .accepted("\(ciencia.explanation) \(message)")
    }

    /// Tacit ciência of a decision, 10 days after it was made available (same rule, RN 377/2015).
    func fireDecisionTacitCiencia(_ item: ScheduledItem, context: HandlerContext) throws {
        let reference = try item.payload(as: DecisionReference.self)
        guard let atendimento = try reference.atendimento(on: context.connection),
              let decision = try DecisionRow.all(of: atendimento.key, on: context.connection)
                .first(where: { $0.instance == reference.instance }),
              decision.cienciaOn == nil
        else { return }
        let date = calendar.ciencia(availableOn: decision.decidedOn).date
        _ = try applyDecisionCiencia(atendimento, decision: decision, on: date, kind: .tacit,
                                     today: BusinessTimeZone.civilDate(of: item.dueAt), context: context)
    }

    /// Records ciência of a decision. A first-instance decision that is not deferida opens the recurso
    /// window (10 days, RN 358/2014 art. 28); otherwise the decision is final and the atendimento is
    /// released. Returns the Portuguese description of what follows.
    func applyDecisionCiencia(_ atendimento: AtendimentoRow, decision: DecisionRow, on date: CivilDate, kind: CienciaKind,
                              today: CivilDate, context: HandlerContext) throws -> String {
        let connection = context.connection
        if kind == .explicit {
            try ScheduledWork.cancel(kind: DeadlineWork.decisionTacitCiencia,
                                     key: DecisionReference.workKey(atendimento.key, decision.instance), on: connection)
        }
        let opensRecurso = decision.instance == .impugnacao && decision.result != .deferida
        let recursoEnd = opensRecurso ? calendar.recursoDeadline(decisionCiencia: date) : nil
        _ = try connection.execute(Self.setDecisionCiencia, atendimento.key.parameters + [
            decision.instance.rawValue, date.postgres, kind.rawValue, recursoEnd?.date.postgres])
        try emit(DecisionCienciaRegistered(
            abi: atendimento.abi, registroANS: atendimento.registroANS, document: atendimento.document,
            competencia: atendimento.key.competencia, instance: decision.instance, cienciaOn: date, kind: kind,
            recursoWindowEnd: recursoEnd?.date), context: context)
        if let recursoEnd {
            // A recurso filed before this ciência already suspended the decision.
            if atendimento.state == "decidido" {
                try ScheduledWork.schedule(
                    kind: DeadlineWork.recursoWindowClose, key: atendimento.key.workKey,
                    dueAt: recursoEnd.date.adding(days: 1).startInstant,
                    payload: DecisionReference(atendimento.key, instance: .impugnacao), on: connection)
            }
            return recursoEnd.explanation
        }
        try releaseDecided(atendimento, finalCiencia: date, chargeableOn: today, context: context)
        return "Decisão definitiva; atendimento liberado para cobrança."
    }

    /// End of the recurso window without a recurso: the first-instance decision is final.
    func fireRecursoWindowClose(_ item: ScheduledItem, context: HandlerContext) throws {
        let reference = try item.payload(as: DecisionReference.self)
        guard let atendimento = try reference.atendimento(on: context.connection),
              atendimento.state == "decidido",
              let cienciaOn = try DecisionRow.all(of: atendimento.key, on: context.connection)
                .first(where: { $0.instance == .impugnacao })?.cienciaOn
        else { return }
        try releaseDecided(atendimento, finalCiencia: cienciaOn, chargeableOn: BusinessTimeZone.civilDate(of: item.dueAt),
                           context: context)
    }

    static let setDecisionCiencia = PostgresStatement("""
        UPDATE decisions SET ciencia_on = $6, ciencia_kind = $7, recurso_window_end = $8
        WHERE abi = $1 AND registro_ans = $2 AND document = $3 AND competencia = $4 AND instance = $5
            AND ciencia_on IS NULL
        """)
}

/// Identifies a decision in scheduled-work payloads: the atendimento's key and the instance. Items
/// scheduled before atendimentos were keyed by competência (migration 101) carry only the document;
/// then it names exactly one atendimento.
struct DecisionReference: Codable {
    let document: SUSDocumentNumber
    let instance: DecisionInstance
    let abi: ABINumber?
    let registroANS: RegistroANS?
    let competencia: YearMonth?

    init(_ key: AtendimentoKey, instance: DecisionInstance) {
        document = key.document
        self.instance = instance
        abi = key.abi
        registroANS = key.registroANS
        competencia = key.competencia
    }

    /// The scheduled-work key of a decision's tacit ciência.
    static func workKey(_ key: AtendimentoKey, _ instance: DecisionInstance) -> String {
        "\(key.workKey)/\(instance.rawValue)"
    }

    /// The atendimento referred to, locked; nil when unknown.
    func atendimento(on connection: PostgresConnection) throws -> AtendimentoRow? {
        let resolution = try AtendimentoRow.resolve(document, competencia: competencia, abi: abi, registroANS: registroANS,
                                                    on: connection)
        guard case .found(let row) = resolution else { return nil }
        return row
    }
}
