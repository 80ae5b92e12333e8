import Foundation
import Models
import Postgres

/// Counts and totals of the whole debt book as of a date (all operadoras): GRUs per state (open ones
/// updated with acréscimos as of the date, the shared rule of ``DebtPosition``), payments per
/// classification, parcelamentos per state, CADIN registrations and held small charges. Read only.
public struct DebtSummary: Codable, Sendable {
    public struct StateLine: Codable, Sendable {
        public var state: GRUState
        public var count: Int
        /// Principal as issued.
        public var principal: Money
        /// Open principal + acréscimos as of the date (open states), or what was paid (others).
        public var total: Money
    }

    public struct PaymentLine: Codable, Sendable {
        public var classification: PaymentClassification
        public var count: Int
        public var amount: Money
    }

    public var asOf: CivilDate
    public var grus: [StateLine]
    public var payments: [PaymentLine]
    public var parcelamentos: [String: Int]
    /// GRUs whose operadora is registered in CADIN because of them, and how many operadoras.
    public var cadinGRUs: Int
    public var cadinOperadoras: Int
    /// Small charges still held (RN 533/2022) and their total.
    public var heldCharges: Int
    public var heldTotal: Money
    public var credit: Money
    /// Some open amounts are provisional (SELIC months missing).
    public var provisional: Bool

    public static func compute(asOf date: CivilDate, calculator: LateChargeCalculator? = nil,
                               on connection: PostgresConnection) throws -> DebtSummary {
        // Without a calculator: the schema's SELIC table (seed + imported months, DebtSelic).
        let calculator = try calculator ?? LateChargeCalculator(selic: DebtSelic.table(on: connection))
        var lines: [GRUState: StateLine] = [:]
        var provisional = false
        var credit = Money.zero
        for row in try connection.query(gruRows) {
            let state = GRUState(rawValue: try row.decode(String.self, at: 0)) ?? .emitida
            var line = lines[state] ?? StateLine(state: state, count: 0, principal: .zero, total: .zero)
            line.count += 1
            line.principal += try row.money(at: 1)
            if DebtPosition.openStates.contains(state) {
                let amounts = calculator.amounts(principal: try row.money(at: 2), dueDate: try row.civilDate(at: 3), asOf: date)
                line.total += amounts.total
                provisional = provisional || amounts.missingSelicMonthCount > 0
            } else {
                line.total += try row.money(at: 4)
            }
            credit += try row.money(at: 5)
            lines[state] = line
        }
        let payments = try connection.query(paymentRows).map { row in
            PaymentLine(classification: PaymentClassification(rawValue: try row.decode(String.self, at: 0)) ?? .unknownGRU,
                        count: try row.decode(Int.self, at: 1), amount: try row.money(at: 2))
        }
        var plans: [String: Int] = [:]
        for row in try connection.query(planRows) { plans[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1) }
        let cadin = try connection.query(cadinRow)[0]
        let held = try connection.query(heldRow)[0]
        return DebtSummary(
            asOf: date, grus: GRUState.allCases.compactMap { lines[$0] },
            payments: PaymentClassification.allCases.compactMap { c in payments.first { $0.classification == c } },
            parcelamentos: plans, cadinGRUs: try cadin.decode(Int.self, at: 0), cadinOperadoras: try cadin.decode(Int.self, at: 1),
            heldCharges: try held.decode(Int.self, at: 0), heldTotal: try held.money(at: 1), credit: credit,
            provisional: provisional)
    }

    static let gruRows = PostgresStatement(
        "SELECT state, principal, open_principal, accrual_date, paid_total, credit FROM grus")
    static let paymentRows = PostgresStatement(
        "SELECT classification, count(*), coalesce(sum(amount), 0)::bigint FROM payments GROUP BY classification")
    static let planRows = PostgresStatement("SELECT state, count(*) FROM parcelamentos GROUP BY state")
    static let cadinRow = PostgresStatement(
        "SELECT count(*), count(DISTINCT registro_ans) FROM grus WHERE in_cadin")
    static let heldRow = PostgresStatement(
        "SELECT count(*), coalesce(sum(total), 0)::bigint FROM charges WHERE gru_number IS NULL")
}
