import Foundation
import Models
import Postgres
import Runtime

/// The notification steps the scheduler's batch fast path fires together: tacit ciências, explicit
/// ciências filed in bulk and ends of impugnação windows of many notifications (an ABI for 700
/// operadoras makes hundreds due at the same instant), with a few statements per batch instead of
/// three or four per notification. Each has exactly the effect of its per-item step
/// (`fireTacitCiencia`, `registerCiencia`, `fireImpugnacaoWindowClose`) on every item in order: an
/// item touches only its own notification, its atendimentos and its own scheduled work, and the
/// events are appended in item order.
extension DeadlineProcess {
    /// `fireTacitCiencia` for each item: the notifications made available that have no ciência yet
    /// get tacit ciência (RN 377/2015).
    func fireTacitCiencias(_ items: [ScheduledItem], context: HandlerContext) throws {
        let references = try items.map { try $0.payload(as: NotificationReference.self) }
        let notifications = try NotificationRecord.loadAll(references, on: context.connection)
        try applyCiencias(references.compactMap { reference in
            guard let notification = notifications[reference.key], let availableOn = notification.availableOn,
                  notification.cienciaOn == nil
            else { return nil }
            return Ciencia(notification: notification, date: calendar.ciencia(availableOn: availableOn).date, kind: .tacit)
        }, context: context)
    }

    /// `applyCiencia` for each ciência, of distinct notifications, in order: one UPDATE, one cancel
    /// of the explicit ones' tacit items, one batch of window-close items.
    func applyCiencias(_ ciencias: [Ciencia], context: HandlerContext) throws {
        guard !ciencias.isEmpty else { return }
        let connection = context.connection
        var ends: [String] = [], dues: [String] = [], work: [ScheduledWork.Item] = []
        var events: [NotificationCienciaRegistered] = []
        for ciencia in ciencias {
            let notification = ciencia.notification
            let (windowEnd, originalDue) = windowDates(ciencia: ciencia.date)
            ends.append(windowEnd.description); dues.append(originalDue.description)
            work.append(try windowCloseWork(notification, windowEnd: windowEnd))
            events.append(NotificationCienciaRegistered(
                abi: notification.abi, registroANS: notification.registroANS, cienciaOn: ciencia.date, kind: ciencia.kind,
                impugnacaoWindowEnd: windowEnd))
        }
        _ = try connection.execute(Self.setCiencias, [
            ciencias.map { String($0.notification.abi.value) }, ciencias.map(\.notification.registroANS.value),
            ciencias.map(\.date.description), ciencias.map(\.kind.rawValue), ends, dues])
        try ScheduledWork.cancel(ciencias.filter { $0.kind == .explicit }.map { (DeadlineWork.tacitCiencia, $0.notification.key) },
                                 on: connection)
        try ScheduledWork.schedule(work, on: connection)
        for event in events { try emit(event, context: context) }
    }

    /// `fireImpugnacaoWindowClose` for each item: the windows are closed with one UPDATE and every
    /// atendimento still only notified is released (DOMAIN §4) with another.
    func fireImpugnacaoWindowCloses(_ items: [ScheduledItem], context: HandlerContext) throws {
        let connection = context.connection
        let references = try items.map { try $0.payload(as: NotificationReference.self) }
        let notifications = try NotificationRecord.loadAll(references, on: connection)
        let closing = zip(items, references).compactMap { item, reference in
            notifications[reference.key].map { (notification: $0, chargeableOn: BusinessTimeZone.civilDate(of: item.dueAt)) }
        }
        guard !closing.isEmpty else { return }
        _ = try connection.execute(Self.closeWindows, [
            closing.map { String($0.notification.abi.value) }, closing.map(\.notification.registroANS.value)])
        let releasing = closing.filter { $0.notification.originalDueDate != nil }
        guard !releasing.isEmpty else { return }
        let rows = try connection.query(Self.releaseNotifiedOfMany, [
            releasing.map { String($0.notification.abi.value) }, releasing.map(\.notification.registroANS.value),
            releasing.map(\.chargeableOn.description), releasing.map { $0.notification.originalDueDate!.description }])
        var released: [String: [ChargeableAtendimento]] = [:]
        for row in rows {
            let key = DeadlineWork.notificationKey(abi: try row.decode(Int.self, at: 0), registro: try row.decode(String.self, at: 1))
            released[key, default: []].append(try Self.releasedNotImpugned(row, from: 2))
        }
        for (notification, chargeableOn) in releasing {
            let originalDue = notification.originalDueDate!
            try publish(released[notification.key] ?? [], of: notification, originalDueDate: originalDue,
                        paymentDueDate: originalDue, chargeableOn: chargeableOn, context: context)
        }
    }

    static let setCiencias = PostgresStatement("""
        UPDATE notifications n SET ciencia_on = u.ciencia::date, ciencia_kind = u.kind,
            window_end = u.window_end::date, original_due_date = u.due::date,
            state = CASE WHEN n.state = 'aguardando_ciencia' THEN 'prazo_impugnacao' ELSE n.state END
        FROM unnest($1::text[]::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            AS u(abi, registro, ciencia, kind, window_end, due)
        WHERE n.abi = u.abi AND n.registro_ans = u.registro AND n.ciencia_on IS NULL
        """)

    static let closeWindows = PostgresStatement("""
        UPDATE notifications n SET state = 'prazo_encerrado'
        FROM unnest($1::text[]::integer[], $2::text[]) AS u(abi, registro)
        WHERE n.abi = u.abi AND n.registro_ans = u.registro
        """)

    static let releaseNotifiedOfMany = PostgresStatement("""
        UPDATE atendimentos a SET state = 'cobravel', outcome = 'nao_impugnado', final_amount = a.original_amount,
            released_on = u.chargeable_on::date, payment_due_date = u.due::date
        FROM unnest($1::text[]::integer[], $2::text[], $3::text[], $4::text[]) AS u(abi, registro, chargeable_on, due)
        WHERE a.abi = u.abi AND a.registro_ans = u.registro AND a.state = 'notificado'
        RETURNING a.abi, a.registro_ans, a.document, a.original_amount, a.competencia
        """)
}

extension NotificationReference {
    /// The notification's key (``NotificationRecord/key``).
    var key: String { DeadlineWork.notificationKey(abi: abi.value, registro: registroANS.value) }
}
