import Foundation
import Models
import Postgres
import Runtime

extension PaymentSettled {
    /// Whether principal + multa + juros make the total (the FNS service refuses any other).
    var isConsistent: Bool { principal + multa + juros == total }
}

/// Settlements recorded set-based: a segment's payments (about one per GRU paid) with a few
/// statements; ``SettlementRecorder/record(_:eventID:context:)`` records one event this way.
extension SettlementRecorder {
    /// Records each settlement, in order (all consistent: ``AggregateSegment`` sends the others
    /// the per-event way, which refuses them): the months locked at once, in month order; the settlements inserted at
    /// once, a repeated payment id keeping its first event; then the months' repasses scheduled as
    /// the events one by one would have: a complementary one for a month already transferred that
    /// got a settlement, the regular one for a month whose row this batch created with a
    /// settlement (its first event there is the one that created it one by one).
    func record(all payments: [(event: PaymentSettled, id: UUID)], context: HandlerContext) throws {
        guard !payments.isEmpty else { return }
        let connection = context.connection
        let today = BusinessTimeZone.civilDate(of: context.now)
        var months: [YearMonth] = [], firstOfMonth: [YearMonth: Int] = [:], firstOfID: [String: Int] = [:]
        for (index, (settled, _)) in payments.enumerated() {
            if firstOfMonth[settled.paidOn.yearMonth] == nil {
                months.append(settled.paidOn.yearMonth)
                firstOfMonth[settled.paidOn.yearMonth] = index
            }
            if firstOfID[settled.paymentID] == nil { firstOfID[settled.paymentID] = index }
        }
        let monthTexts = months.map(\.description)
        let created = Set(try connection.query(Self.lockMonths, [monthTexts, today.postgres]).map { try $0.decode(String.self, at: 0) })
        let insertedIDs = Set(try connection.query(Self.insertMany, [
            payments.map(\.event.paymentID), payments.map(\.id.canonicalText), payments.map(\.event.gruNumber.value),
            payments.map(\.event.registroANS.value), payments.map(\.event.paidOn.description),
            payments.map(\.event.paidOn.yearMonth.description), payments.map { String($0.event.principal.centavos) },
            payments.map { String($0.event.multa.centavos) }, payments.map { String($0.event.juros.centavos) },
            payments.map { String($0.event.total.centavos) }, today.postgres,
        ]).map { try $0.decode(String.self, at: 0) })
        guard !insertedIDs.isEmpty else { return }
        // An id inserted is its first event's: the insert keeps the first of a repeated id.
        func inserted(_ index: Int) -> Bool {
            let id = payments[index].event.paymentID
            return firstOfID[id] == index && insertedIDs.contains(id)
        }
        let settledMonths = Set(payments.indices.filter(inserted).map { payments[$0].event.paidOn.yearMonth })
        let transferred = Set(try connection.query(Self.monthsTransferred, [monthTexts]).map { try $0.decode(String.self, at: 0) })
        for month in months where settledMonths.contains(month) {
            if transferred.contains(month.description) {
                try scheduleComplementary(month: month, today: today, on: connection)
            } else if created.contains(month.description), let first = firstOfMonth[month], inserted(first) {
                try scheduleRegular(month: month, today: today, on: connection)
            }
        }
    }

    /// Locks the months' rows, creating the missing ones, in month order (two batches never wait
    /// for each other in a cycle; a repasse of a month waits for this transaction, or this for it);
    /// returns the months it created.
    static let lockMonths = PostgresStatement("""
        WITH locked AS (
            INSERT INTO collection_months (month, first_recorded_on)
            SELECT m, $2::date FROM unnest($1::text[]) AS u(m) ORDER BY m
            ON CONFLICT (month) DO UPDATE SET month = EXCLUDED.month
            RETURNING month, (xmax = 0) AS inserted
        )
        SELECT month FROM locked WHERE inserted
        """)
    /// The settlements, in order (a repeated payment id keeps its first); returns the payment ids
    /// inserted.
    static let insertMany = PostgresStatement("""
        INSERT INTO settlements (payment_id, event_id, gru_number, registro_ans, paid_on, collection_month,
                                 principal, multa, juros, total, installment, recorded_on)
        SELECT s.payment, s.event::uuid, s.gru, s.registro, s.paid_on::date, s.month, s.principal::bigint, s.multa::bigint,
            s.juros::bigint, s.total::bigint,
            coalesce((SELECT purpose = 'parcela' OR parcelamento_id IS NOT NULL FROM grus WHERE gru_number = s.gru), false), $11::date
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                    $10::text[]) WITH ORDINALITY AS s(payment, event, gru, registro, paid_on, month, principal, multa, juros, total, n)
        ORDER BY s.n
        ON CONFLICT (payment_id) DO NOTHING
        RETURNING payment_id
        """)
    static let monthsTransferred = PostgresStatement("""
        SELECT m FROM unnest($1::text[]) AS u(m) WHERE EXISTS (SELECT 1 FROM repasses WHERE collection_month = u.m)
        """)
}
