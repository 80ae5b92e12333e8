import Foundation
import Models
import Postgres

/// The as-of position of an operadora (DOMAIN §5, §9): every GRU with its state and, for open ones
/// (emitida, suspensa judicialmente, inscrita em dívida ativa), the updated amounts as of the date:
/// `LateChargeCalculator.calculate(principal: openPrincipal, dueDate: accrualDate, asOf: date)`, the
/// rule every service shares (the portal's PDF prints the same numbers). Reads the current state of
/// the GRUs; depends only on the given date, so the CLI may compute it itself.
public struct DebtPosition: Codable, Sendable {
    public var registroANS: RegistroANS
    public var asOf: CivilDate
    public var grus: [Entry]
    public var totals: [StateTotal]
    /// Some amounts are provisional: the SELIC table lacks months they need (listed in each memo).
    public var provisional: Bool
    /// The version of the SELIC table used (seed + imported publications).
    public var selicTableVersion: String

    public struct Entry: Codable, Sendable {
        public var gru: GRUNumber
        public var purpose: GRUPurpose
        public var abis: [ABINumber]
        public var issuedOn: CivilDate
        public var dueDate: CivilDate
        public var accrualDate: CivilDate
        /// The GRU's principal as issued.
        public var principal: Money
        public var state: GRUState
        public var openPrincipal: Money
        public var paidTotal: Money
        public var credit: Money
        public var inCadin: Bool
        public var courtProcess: String?
        public var parcelamentoID: String?
        public var replacedBy: GRUNumber?
        /// Updated amounts as of the date (open GRUs only).
        public var multa: Money?
        public var juros: Money?
        public var total: Money?
        public var provisional: Bool?
        public var memo: CalculationMemo?
    }

    public struct StateTotal: Codable, Sendable {
        public var state: GRUState
        public var count: Int
        public var principal: Money
        /// Open principal + updated acréscimos (open states), or what was paid (paid states).
        public var total: Money
    }

    static let openStates: Set<GRUState> = [.emitida, .suspensaJudicialmente, .inscritaEmDividaAtiva]

    /// The position of `registroANS` as of `date`, on the debt schema open on `connection`. Without a
    /// `calculator`, the schema's SELIC table (seed + imported months, ``DebtSelic``).
    public static func compute(registroANS: RegistroANS, asOf date: CivilDate, calculator: LateChargeCalculator? = nil,
                               on connection: PostgresConnection) throws -> DebtPosition {
        let calculator = try calculator ?? LateChargeCalculator(selic: DebtSelic.table(on: connection))
        let records = try GRURecord.all(of: registroANS, on: connection)
        var entries: [Entry] = []
        entries.reserveCapacity(records.count)
        var totals: [GRUState: StateTotal] = [:]
        var provisional = false
        for gru in records {
            var entry = Entry(
                gru: gru.number, purpose: gru.purpose, abis: gru.abis, issuedOn: gru.issuedOn, dueDate: gru.dueDate,
                accrualDate: gru.accrualDate, principal: gru.principal, state: gru.state, openPrincipal: gru.openPrincipal,
                paidTotal: gru.paidTotal, credit: gru.credit, inCadin: gru.inCadin, courtProcess: gru.courtProcess,
                parcelamentoID: gru.parcelamentoID, replacedBy: gru.replacedBy)
            var stateTotal = totals[gru.state] ?? StateTotal(state: gru.state, count: 0, principal: .zero, total: .zero)
            stateTotal.count += 1
            stateTotal.principal += gru.principal
            if openStates.contains(gru.state) {
                let late = try calculator.calculate(principal: gru.openPrincipal, dueDate: gru.accrualDate, asOf: date,
                                                    allowingProvisional: true)
                entry.multa = late.multa
                entry.juros = late.juros
                entry.total = late.total
                entry.provisional = late.isProvisional
                entry.memo = late.memo
                provisional = provisional || late.isProvisional
                stateTotal.total += late.total
            } else {
                stateTotal.total += gru.paidTotal
            }
            totals[gru.state] = stateTotal
            entries.append(entry)
        }
        return DebtPosition(
            registroANS: registroANS, asOf: date, grus: entries,
            totals: GRUState.allCases.compactMap { totals[$0] }, provisional: provisional,
            selicTableVersion: calculator.selic.version)
    }
}
