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

    /// Every collection month with settlements, oldest first.
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
}
