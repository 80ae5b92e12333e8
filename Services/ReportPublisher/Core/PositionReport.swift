import Foundation
import Models

/// The *Posição Financeira Atualizada* of one operadora as of a reference date (DOMAIN §9): every
/// GRU issued by then, as it stood on that date, and for each open one the acréscimos updated to
/// that date. Pure: built from the read model's positions and the SELIC table.
///
/// Updated amounts follow the rule every service shares (DOMAIN §5 and `GRUStateChanged`):
/// `LateChargeCalculator(selic:).calculate(principal: openPrincipal, dueDate: accrualDate, asOf: D)`,
/// so they match the debt calculator's `ressus debitos posicao`. When the SELIC table lacks months,
/// the amounts are computed with them as 0 and marked provisional (never guessed silently).
public struct PositionReport: Sendable {
    public struct Line: Sendable {
        public let position: GRUPosition
        /// Acréscimos to the reference date; nil when the GRU does not accrue (paid, parcelled, cancelled).
        public let charges: LateCharges?
    }

    /// Totals of one state.
    public struct StateTotal: Sendable {
        public let state: GRUState
        public let count: Int
        public let principal: Money
        public let open: Money
        public let updated: Money
        public let paid: Money
    }

    public let operadora: OperadoraView
    public let referenceDate: CivilDate
    public let generatedAt: Date
    public let selicVersion: String
    public let lines: [Line]

    /// States whose GRUs still owe money and keep accruing acréscimos (DOMAIN §7: a suspended GRU
    /// and one in dívida ativa keep accruing).
    public static let accruingStates: Set<GRUState> = [.emitida, .suspensaJudicialmente, .inscritaEmDividaAtiva]

    /// The order of states in the report.
    public static let stateOrder: [GRUState] = [
        .emitida, .suspensaJudicialmente, .inscritaEmDividaAtiva, .parcelada, .pagaComAtraso, .paga, .cancelada,
    ]

    public init(operadora: OperadoraView, referenceDate: CivilDate, generatedAt: Date, selic: SelicTable,
                positions: [GRUPosition]) {
        self.operadora = operadora
        self.referenceDate = referenceDate
        self.generatedAt = generatedAt
        selicVersion = selic.version
        let calculator = LateChargeCalculator(selic: selic)
        lines = positions.map { position in
            guard Self.accruingStates.contains(position.state), position.openPrincipal > .zero else {
                return Line(position: position, charges: nil)
            }
            let charges = try? calculator.calculate(
                principal: position.openPrincipal, dueDate: position.accrualDate, asOf: referenceDate,
                allowingProvisional: true)
            return Line(position: position, charges: charges)
        }
    }

    /// True when some amount is provisional (SELIC months missing).
    public var isProvisional: Bool { lines.contains { $0.charges?.isProvisional == true } }

    /// The SELIC months the table lacks for this report.
    public var missingSelicMonths: [YearMonth] {
        Array(Set(lines.flatMap { $0.charges?.memo.missingSelicMonths ?? [] })).sorted()
    }

    /// Totals per state, in report order, for the states present.
    public var totals: [StateTotal] {
        Self.stateOrder.compactMap { state in
            let members = lines.filter { $0.position.state == state }
            guard !members.isEmpty else { return nil }
            return StateTotal(
                state: state, count: members.count,
                principal: Money.sum(members.map(\.position.principal)),
                open: Money.sum(members.map { $0.charges == nil ? .zero : $0.position.openPrincipal }),
                updated: Money.sum(members.map { $0.charges?.total ?? .zero }),
                paid: Money.sum(members.map(\.position.paidTotal)))
        }
    }

    /// Everything still owed, updated to the reference date.
    public var totalUpdated: Money { Money.sum(lines.map { $0.charges?.total ?? .zero }) }
}
