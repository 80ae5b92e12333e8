import Foundation
import Models
import Postgres
import Runtime

/// Transfers a collection month's pending settlements to the FNS in one batch (DOMAIN §8).
struct Repasse {
    let settings: FNSSettings

    /// Transfers every pending settlement of `month` on `date`: the month's regular repasse the
    /// first time, a complementary one afterwards. Locks the month (late settlements wait), marks the
    /// settlements as transferred, records the repasse and emits `RepasseTransferred`. Nil when
    /// nothing is pending.
    func transferPending(month: YearMonth, on date: CivilDate, trigger: RepasseTrigger,
                         context: HandlerContext) throws -> RepasseTransferred? {
        let connection = context.connection
        guard try !connection.query(Self.lockMonth, [month.description]).isEmpty else { return nil }
        let pending = try connection.query(Self.pendingTotals, [month.description])[0]
        let count = try pending.decode(Int.self, at: 0)
        guard count > 0 else { return nil }
        let sequence = try connection.query(Self.nextSequence, [month.description])[0].decode(Int.self, at: 0)
        let kind: RepasseKind = sequence == 1 ? .regular : .complementary
        let event = RepasseTransferred(
            repasseID: "\(month)/\(sequence)", collectionMonth: month, sequence: sequence, kind: kind,
            trigger: sequence == 1 || trigger == .operatorRequest ? trigger : .lateSettlements,
            transferredOn: date, principal: try pending.money(at: 1), multa: try pending.money(at: 2),
            juros: try pending.money(at: 3), total: try pending.money(at: 4), paymentCount: count)
        try connection.execute(Self.insertRepasse, [
            event.repasseID, month.description, sequence, kind.rawValue, event.trigger.rawValue, date.postgres,
            event.principal.centavos, event.multa.centavos, event.juros.centavos, event.total.centavos, count,
        ])
        let marked = try connection.execute(Self.markTransferred, [event.repasseID, month.description])
        guard marked == count else { throw FNSError.inconsistentSettlement(paymentID: "repasse \(event.repasseID)") }
        try context.outbox.append(event, topic: settings.outputTopic, source: settings.source, time: date.startInstant)
        return event
    }

    /// The month's regular repasse, due on its repasse date.
    func fireScheduled(_ item: ScheduledItem, context: HandlerContext) throws {
        let month = try item.payload(as: MonthPayload.self).month
        _ = try transferPending(month: month, on: BusinessTimeZone.civilDate(of: item.dueAt), trigger: .scheduled,
                                context: context)
    }

    /// A complementary repasse of late settlements, with the monthly run.
    func fireComplementary(_ item: ScheduledItem, context: HandlerContext) throws {
        let month = try item.payload(as: MonthPayload.self).month
        _ = try transferPending(month: month, on: BusinessTimeZone.civilDate(of: item.dueAt), trigger: .lateSettlements,
                                context: context)
    }

    static let lockMonth = PostgresStatement("SELECT month FROM collection_months WHERE month = $1 FOR UPDATE")
    static let pendingTotals = PostgresStatement("""
        SELECT count(*)::integer, coalesce(sum(principal), 0)::bigint, coalesce(sum(multa), 0)::bigint,
               coalesce(sum(juros), 0)::bigint, coalesce(sum(total), 0)::bigint
        FROM settlements WHERE collection_month = $1 AND repasse_id IS NULL
        """)
    static let nextSequence = PostgresStatement(
        "SELECT coalesce(max(sequence), 0)::integer + 1 FROM repasses WHERE collection_month = $1")
    static let insertRepasse = PostgresStatement("""
        INSERT INTO repasses (repasse_id, collection_month, sequence, kind, trigger, transferred_on,
                              principal, multa, juros, total, payment_count)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """)
    static let markTransferred = PostgresStatement(
        "UPDATE settlements SET repasse_id = $1 WHERE collection_month = $2 AND repasse_id IS NULL")
}
