import Foundation
import Models
import Postgres

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

extension FNSReports {
    /// Every collection month: settled = transferred + pending.
    public static func reconciliation(on connection: PostgresConnection) throws -> [MonthReconciliation] {
        try connection.query(reconciliationQuery).map { row in
            MonthReconciliation(
                collectionMonth: try row.month(at: 0), settled: try row.money(at: 1),
                settledCount: try row.decode(Int.self, at: 2), transferred: try row.money(at: 3),
                pending: try row.money(at: 4), repassesTotal: try row.money(at: 5))
        }
    }

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
