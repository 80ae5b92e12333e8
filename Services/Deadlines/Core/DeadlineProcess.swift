import Foundation
import Models
import Postgres
import Runtime

/// The deadlines process over the deadlines schema: every step runs synchronously inside the caller's
/// transaction (inbox consumer or scheduler) and appends its events to the same transaction's outbox.
struct DeadlineProcess: Sendable {
    let settings: DeadlinesSettings
    var calendar: BusinessCalendar { settings.calendar }

    // MARK: Ciência of a notification (RN 377/2015) and the impugnação window (DOMAIN §3)

    /// Tacit ciência: fires at the start of available-on + 10 days unless ciência was given before.
    func fireTacitCiencia(_ item: ScheduledItem, context: HandlerContext) throws {
        let reference = try item.payload(as: NotificationReference.self)
        guard let notification = try NotificationRecord.load(
                abi: reference.abi, registroANS: reference.registroANS, on: context.connection),
              let availableOn = notification.availableOn, notification.cienciaOn == nil
        else { return }
        try applyCiencia(to: notification, on: calendar.ciencia(availableOn: availableOn).date, kind: .tacit,
                         context: context)
    }

    /// Records ciência on `date`, schedules the end of the impugnação window (30 days, business-day
    /// rules) and publishes `NotificationCienciaRegistered`.
    func applyCiencia(to notification: NotificationRecord, on date: CivilDate, kind: CienciaKind, context: HandlerContext) throws {
        let connection = context.connection
        let (windowEnd, originalDue) = windowDates(ciencia: date)
        _ = try connection.execute(Self.setCiencia, [
            notification.abi.value, notification.registroANS.value, date.postgres, kind.rawValue,
            windowEnd.postgres, originalDue.postgres])
        if kind == .explicit {
            try ScheduledWork.cancel(kind: DeadlineWork.tacitCiencia, key: notification.key, on: connection)
        }
        try ScheduledWork.schedule([try windowCloseWork(notification, windowEnd: windowEnd)], on: connection)
        try emit(NotificationCienciaRegistered(
            abi: notification.abi, registroANS: notification.registroANS, cienciaOn: date, kind: kind,
            impugnacaoWindowEnd: windowEnd), context: context)
    }

    /// The last day of the impugnação window opened by ciência on `date` and the original due date.
    func windowDates(ciencia date: CivilDate) -> (windowEnd: CivilDate, originalDue: CivilDate) {
        let windowEnd = calendar.impugnacaoDeadline(ciencia: date).date
        // Lei 9.656/1998 art. 32 §3: due date = window end + 15 days.
        return (windowEnd, calendar.paymentDueDate(impugnacaoWindowEnd: windowEnd).date)
    }

    /// The end of `notification`'s impugnação window as scheduled work: the window includes its last
    /// day, so it closes when the next day begins.
    func windowCloseWork(_ notification: NotificationRecord, windowEnd: CivilDate) throws -> ScheduledWork.Item {
        let payload = NotificationReference(abi: notification.abi, registroANS: notification.registroANS)
        return ScheduledWork.Item(
            kind: DeadlineWork.impugnacaoWindowClose, key: notification.key, dueAt: windowEnd.adding(days: 1).startInstant,
            payloadJSON: String(decoding: try EventJSON.encoder.encode(payload), as: UTF8.self))
    }

    /// End of the impugnação window: the atendimentos not impugned become chargeable (DOMAIN §3).
    func fireImpugnacaoWindowClose(_ item: ScheduledItem, context: HandlerContext) throws {
        let reference = try item.payload(as: NotificationReference.self)
        guard let notification = try NotificationRecord.load(
            abi: reference.abi, registroANS: reference.registroANS, on: context.connection) else { return }
        _ = try context.connection.execute(Self.closeWindow, [reference.abi.value, reference.registroANS.value])
        try releaseNotImpugned(notification, chargeableOn: BusinessTimeZone.civilDate(of: item.dueAt), context: context)
    }

    // MARK: Release for charging (DOMAIN §4)

    /// Releases every atendimento of `notification` still only notified: chargeable at its original
    /// amount, due on the original due date (window end + 15 days).
    func releaseNotImpugned(_ notification: NotificationRecord, chargeableOn: CivilDate, context: HandlerContext) throws {
        guard let originalDue = notification.originalDueDate else { return }
        let rows = try context.connection.query(Self.releaseNotified, [
            notification.abi.value, notification.registroANS.value, chargeableOn.postgres, originalDue.postgres])
        let released = try rows.map { try Self.releasedNotImpugned($0, from: 0) }
        try publish(released, of: notification, originalDueDate: originalDue, paymentDueDate: originalDue,
                    chargeableOn: chargeableOn, context: context)
    }

    /// An atendimento released not impugned, from the columns document, original amount and
    /// competência of `row`, starting at `first`.
    static func releasedNotImpugned(_ row: PostgresRow, from first: Int) throws -> ChargeableAtendimento {
        let amount = Money(centavos: try row.decode(Int64.self, at: first + 1))
        return ChargeableAtendimento(
            document: try SUSDocumentNumber(try row.decode(String.self, at: first)),
            competencia: try YearMonth(parsing: try row.decode(String.self, at: first + 2)), outcome: .notImpugned,
            originalAmount: amount, finalAmount: amount)
    }

    /// Releases one impugned atendimento whose decision became final: the last decision's result
    /// applies (a recurso indeferida leaves the first-instance result standing). The GRU falls due
    /// 15 days after ciência of the final decision; late charges accrue from the original due date
    /// while `RulesPolicy.accrueFromOriginalDueDate` is on (DOMAIN §4).
    func releaseDecided(_ atendimento: AtendimentoRow, finalCiencia: CivilDate, chargeableOn: CivilDate,
                        context: HandlerContext) throws {
        let connection = context.connection
        guard let notification = try NotificationRecord.load(
                abi: atendimento.abi, registroANS: atendimento.registroANS, on: connection),
              let originalDue = notification.originalDueDate
        else { return }
        let decisions = try DecisionRow.all(of: atendimento.key, on: connection)
        let (outcome, amount) = Self.finalOutcome(of: decisions, original: atendimento.originalAmount)
        let paymentDue = calendar.paymentDueDate(decisionCiencia: finalCiencia).date
        let updated = try connection.execute(Self.releaseOne, atendimento.key.parameters + [
            outcome == .deferida ? "anulado" : "cobravel", outcome.rawValue,
            amount.centavos, chargeableOn.postgres, paymentDue.postgres])
        guard updated == 1 else { return }
        try publish([ChargeableAtendimento(document: atendimento.document, competencia: atendimento.key.competencia,
                                           outcome: outcome,
                                           originalAmount: atendimento.originalAmount, finalAmount: amount)],
                    of: notification, originalDueDate: calendar.accrualDueDate(originalDueDate: originalDue, gruDueDate: paymentDue),
                    paymentDueDate: paymentDue, chargeableOn: chargeableOn, context: context)
    }

    /// The outcome and amount the final decision leaves.
    static func finalOutcome(of decisions: [DecisionRow], original: Money) -> (ChargeableAtendimento.Outcome, Money) {
        for decision in decisions.reversed() {
            switch decision.result {
            case .deferida: return (.deferida, .zero)
            case .parcialmenteDeferida: return (.parcialmenteDeferida, decision.amount)
            case .indeferida where decision.instance == .impugnacao: return (.indeferida, original)
            case .indeferida: continue  // recurso indeferida: the first-instance decision stands
            }
        }
        return (.indeferida, original)
    }

    /// One `AtendimentosChargeable` per group of at most `releaseBatchSize` atendimentos, in document
    /// (then competência) order.
    func publish(_ released: [ChargeableAtendimento], of notification: NotificationRecord,
                 originalDueDate: CivilDate, paymentDueDate: CivilDate, chargeableOn: CivilDate,
                 context: HandlerContext) throws {
        let sorted = released.sorted {
            ($0.document.value, $0.competencia?.description ?? "") < ($1.document.value, $1.competencia?.description ?? "")
        }
        var start = 0
        while start < sorted.count {
            let end = min(start + settings.releaseBatchSize, sorted.count)
            try emit(AtendimentosChargeable(
                abi: notification.abi, registroANS: notification.registroANS, atendimentos: Array(sorted[start..<end]),
                originalDueDate: originalDueDate, paymentDueDate: paymentDueDate, chargeableOn: chargeableOn),
                context: context)
            start = end
        }
    }

    /// Appends `event` to the outbox, for `settings.outputTopic`.
    func emit<E: DomainEvent>(_ event: E, context: HandlerContext) throws {
        try context.outbox.append(event, topic: settings.outputTopic, source: settings.source, time: context.now)
    }

    static let setCiencia = PostgresStatement("""
        UPDATE notifications SET ciencia_on = $3, ciencia_kind = $4, window_end = $5, original_due_date = $6,
            state = CASE WHEN state = 'aguardando_ciencia' THEN 'prazo_impugnacao' ELSE state END
        WHERE abi = $1 AND registro_ans = $2 AND ciencia_on IS NULL
        """)

    static let closeWindow = PostgresStatement(
        "UPDATE notifications SET state = 'prazo_encerrado' WHERE abi = $1 AND registro_ans = $2")

    static let releaseNotified = PostgresStatement("""
        UPDATE atendimentos SET state = 'cobravel', outcome = 'nao_impugnado', final_amount = original_amount,
            released_on = $3, payment_due_date = $4
        WHERE abi = $1 AND registro_ans = $2 AND state = 'notificado'
        RETURNING document, original_amount, competencia
        """)

    static let releaseOne = PostgresStatement("""
        UPDATE atendimentos SET state = $5, outcome = $6, final_amount = $7, released_on = $8, payment_due_date = $9
        WHERE abi = $1 AND registro_ans = $2 AND document = $3 AND competencia = $4
            AND state IN ('decidido', 'recurso_decidido')
        """)
}
