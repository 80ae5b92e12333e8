import Foundation
import Models
import Postgres

/// Amounts split by component (`principal + multa + juros == total`).
public struct ComponentAmounts: Sendable, Hashable, Codable {
    public var principal: Money
    public var multa: Money
    public var juros: Money
    public var total: Money

    public init(principal: Money = .zero, multa: Money = .zero, juros: Money = .zero, total: Money = .zero) {
        self.principal = principal
        self.multa = multa
        self.juros = juros
        self.total = total
    }

    public static let zero = ComponentAmounts()

    public static func + (lhs: ComponentAmounts, rhs: ComponentAmounts) -> ComponentAmounts {
        ComponentAmounts(principal: lhs.principal + rhs.principal, multa: lhs.multa + rhs.multa,
                         juros: lhs.juros + rhs.juros, total: lhs.total + rhs.total)
    }

    init(row: PostgresRow, from column: Int) throws {
        self.init(principal: try row.money(at: column), multa: try row.money(at: column + 1),
                  juros: try row.money(at: column + 2), total: try row.money(at: column + 3))
    }
}

/// One repasse as the demonstrativo lists it.
public struct RepasseLine: Sendable, Hashable, Codable {
    public var repasseID: String
    public var sequence: Int
    public var kind: RepasseKind
    public var trigger: RepasseTrigger
    public var transferredOn: CivilDate
    public var amounts: ComponentAmounts
    public var paymentCount: Int

    public init(repasseID: String, sequence: Int, kind: RepasseKind, trigger: RepasseTrigger, transferredOn: CivilDate,
                amounts: ComponentAmounts, paymentCount: Int) {
        self.repasseID = repasseID
        self.sequence = sequence
        self.kind = kind
        self.trigger = trigger
        self.transferredOn = transferredOn
        self.amounts = amounts
        self.paymentCount = paymentCount
    }
}

/// The demonstrativo de repasse of one collection month (DOMAIN §8): what was collected (settled
/// payments by payment date), what was transferred to the FNS and when, and what is still pending.
public struct Demonstrativo: Sendable, Hashable, Codable {
    public var collectionMonth: YearMonth
    /// The regular repasse's date by policy (last business day of the following month).
    public var scheduledRepasseDate: CivilDate
    public var collected: ComponentAmounts
    public var collectedCount: Int
    public var repasses: [RepasseLine]
    public var transferred: ComponentAmounts
    public var pending: ComponentAmounts
    public var pendingCount: Int
    public init(collectionMonth: YearMonth, scheduledRepasseDate: CivilDate, collected: ComponentAmounts, collectedCount: Int,
                repasses: [RepasseLine], transferred: ComponentAmounts, pending: ComponentAmounts, pendingCount: Int) {
        self.collectionMonth = collectionMonth
        self.scheduledRepasseDate = scheduledRepasseDate
        self.collected = collected
        self.collectedCount = collectedCount
        self.repasses = repasses
        self.transferred = transferred
        self.pending = pending
        self.pendingCount = pendingCount
    }

    /// collected == transferred + pending, to the centavo.
    public var reconciles: Bool { collected == transferred + pending }
}

/// One month of the reconciliation: paid (settled) = transferred + pending.
public struct MonthReconciliation: Sendable, Hashable, Codable {
    public var collectionMonth: YearMonth
    public var settled: Money
    public var settledCount: Int
    public var transferred: Money
    public var pending: Money
    /// Sum of the repasses' recorded totals (must equal `transferred`).
    public var repassesTotal: Money
    public var reconciles: Bool { settled == transferred + pending && repassesTotal == transferred }
}

/// Read-only views of the FNS schema (the CLI and the public page use them).
public enum FNSReports {
    /// The demonstrativo of `month` (empty amounts when nothing was collected in it).
    public static func demonstrativo(month: YearMonth, settings: FNSSettings = .standard,
                                     on connection: PostgresConnection) throws -> Demonstrativo {
        let collected = try connection.query(monthTotals, [month.description])[0]
        let repasses = try connection.query(repassesOfMonth, [month.description]).map { row in
            RepasseLine(
                repasseID: try row.decode(String.self, at: 0), sequence: try row.decode(Int.self, at: 1),
                kind: RepasseKind(rawValue: try row.decode(String.self, at: 2)) ?? .regular,
                trigger: RepasseTrigger(rawValue: try row.decode(String.self, at: 3)) ?? .scheduled,
                transferredOn: try row.civilDate(at: 4), amounts: try ComponentAmounts(row: row, from: 5),
                paymentCount: try row.decode(Int.self, at: 9))
        }
        return Demonstrativo(
            collectionMonth: month,
            scheduledRepasseDate: settings.policy.repasseDate(for: month, calendar: settings.calendar),
            collected: try ComponentAmounts(row: collected, from: 1), collectedCount: try collected.decode(Int.self, at: 0),
            repasses: repasses, transferred: repasses.map(\.amounts).reduce(.zero, +),
            pending: try ComponentAmounts(row: collected, from: 6), pendingCount: try collected.decode(Int.self, at: 5))
    }

    /// Every collection month: settled = transferred + pending.
    public static func reconciliation(on connection: PostgresConnection) throws -> [MonthReconciliation] {
        try connection.query(reconciliationQuery).map { row in
            MonthReconciliation(
                collectionMonth: try row.month(at: 0), settled: try row.money(at: 1),
                settledCount: try row.decode(Int.self, at: 2), transferred: try row.money(at: 3),
                pending: try row.money(at: 4), repassesTotal: try row.money(at: 5))
        }
    }

    /// Every repasse, oldest first (for the public page's chart and CSV).
    public static func collectionMonths(on connection: PostgresConnection) throws -> [YearMonth] {
        try connection.query("SELECT month FROM collection_months ORDER BY month").map { try $0.month(at: 0) }
    }

    static let monthTotals = PostgresStatement("""
        SELECT count(*)::integer,
               coalesce(sum(principal), 0)::bigint, coalesce(sum(multa), 0)::bigint,
               coalesce(sum(juros), 0)::bigint, coalesce(sum(total), 0)::bigint,
               (count(*) FILTER (WHERE repasse_id IS NULL))::integer,
               coalesce(sum(principal) FILTER (WHERE repasse_id IS NULL), 0)::bigint,
               coalesce(sum(multa) FILTER (WHERE repasse_id IS NULL), 0)::bigint,
               coalesce(sum(juros) FILTER (WHERE repasse_id IS NULL), 0)::bigint,
               coalesce(sum(total) FILTER (WHERE repasse_id IS NULL), 0)::bigint
        FROM settlements WHERE collection_month = $1
        """)
    static let repassesOfMonth = PostgresStatement("""
        SELECT repasse_id, sequence, kind, trigger, transferred_on, principal, multa, juros, total, payment_count
        FROM repasses WHERE collection_month = $1 ORDER BY sequence
        """)
    static let reconciliationQuery = PostgresStatement("""
        SELECT m.month,
               coalesce(s.total, 0)::bigint, coalesce(s.n, 0)::integer,
               coalesce(s.transferred, 0)::bigint, coalesce(s.pending, 0)::bigint,
               coalesce(r.total, 0)::bigint
        FROM collection_months m
        LEFT JOIN (SELECT collection_month, sum(total) AS total, count(*) AS n,
                          sum(total) FILTER (WHERE repasse_id IS NOT NULL) AS transferred,
                          sum(total) FILTER (WHERE repasse_id IS NULL) AS pending
                   FROM settlements GROUP BY collection_month) s ON s.collection_month = m.month
        LEFT JOIN (SELECT collection_month, sum(total) AS total FROM repasses GROUP BY collection_month) r
               ON r.collection_month = m.month
        ORDER BY m.month
        """)
}

/// The reconciliation the CLI prints: per month, recorded = transferred + pending, and, when the
/// debts topic was read, recorded = settled on the topic.
public struct FNSReconciliationReport: Sendable, Hashable, Codable {
    /// What the debts topic holds for one collection month.
    public struct TopicMonth: Sendable, Hashable, Codable {
        public var collectionMonth: YearMonth
        public var settled: CountAmount
    }

    public var months: [MonthReconciliation]
    /// `PaymentSettled` per collection month on the debts topic (nil when not read).
    public var onTopic: [TopicMonth]?

    public init(months: [MonthReconciliation], onTopic: [YearMonth: CountAmount]?) {
        self.months = months
        self.onTopic = onTopic.map { sums in
            sums.keys.sorted().map { TopicMonth(collectionMonth: $0, settled: sums[$0]!) }
        }
    }

    /// Every month on either side, in order.
    public var allMonths: [YearMonth] {
        Set(months.map(\.collectionMonth)).union((onTopic ?? []).map(\.collectionMonth)).sorted()
    }

    /// What the topic holds for `month` (nil when the topic was not read).
    public func topic(_ month: YearMonth) -> CountAmount? {
        onTopic.map { topic in topic.first { $0.collectionMonth == month }?.settled ?? CountAmount() }
    }

    /// Whether `month` reconciles.
    public func reconciles(_ month: YearMonth) -> Bool {
        let recorded = months.first { $0.collectionMonth == month }
        if let recorded, !recorded.reconciles { return false }
        guard let topic = topic(month) else { return recorded != nil }
        return (recorded?.settled ?? .zero) == topic.amount && (recorded?.settledCount ?? 0) == topic.count
    }

    public var reconciles: Bool { allMonths.allSatisfy(reconciles) }
}
