import Foundation
import Models
import Postgres
import Runtime

/// Charges (DOMAIN §4): one charge per `AtendimentosChargeable` with a non-zero amount, covered by a
/// GRU of its own when it is above the small-debt threshold; charges at or under it are held per
/// operadora until the held total passes the threshold, and then one GRU covers all held charges
/// (RN 533/2022).
extension DebtLedger {
    /// What an `AtendimentosChargeable` charges, before any database work.
    struct ChargeInput {
        let event: AtendimentosChargeable
        let charged: [ChargedAtendimento]
        let total: Money
        let chargeID: String
        let dueDate: CivilDate
        let accrual: CivilDate

        var held: HeldCharge { HeldCharge(id: chargeID, abi: event.abi, total: total, accrual: accrual, issuedOn: event.chargeableOn) }
    }

    /// A charge not yet covered by a GRU (or the one charge a GRU is issued for).
    struct HeldCharge {
        let id: String
        let abi: ABINumber
        let total: Money
        let accrual: CivilDate
        let issuedOn: CivilDate
    }

    /// The charge of `event`; nil when it charges nothing (annulled atendimentos, deferida, amount 0).
    func chargeInput(_ event: AtendimentosChargeable) -> ChargeInput? {
        let charged = event.charged
        let total = Money.sum(charged.map(\.amount))
        guard total > .zero else { return nil }
        // DOMAIN §4: the GRU's payment date rolled to a business day; acréscimos accrue from the
        // original due date while RulesPolicy.accrueFromOriginalDueDate is on.
        let dueDate = calendar.nextBusinessDay(onOrAfter: event.paymentDueDate)
        let accrual = calendar.accrualDueDate(originalDueDate: event.originalDueDate, gruDueDate: dueDate)
        return ChargeInput(event: event, charged: charged, total: total, chargeID: event.chargeID,
                           dueDate: dueDate, accrual: accrual)
    }

    /// Policy: a GRU covering held small charges accrues from the charge that completed it.
    static func accrualDate(of input: ChargeInput, covering covered: [HeldCharge]) -> CivilDate {
        covered.count == 1 ? covered[0].accrual : input.accrual
    }

    /// The GRU numbered `number` covering `covered` (completed by `input`), with the acréscimos from its
    /// accrual date to its due date (`calculator`: the published SELIC when the accrual starts before
    /// the due date), and the `ChargeIssued` of `input`.
    func coveringGRU(for input: ChargeInput, covered: [HeldCharge], number: GRUNumber,
                     calculator: LateChargeCalculator) -> (gru: GRURecord, charge: ChargeIssued) {
        let event = input.event
        let principal = Money.sum(covered.map(\.total))
        let accrualDate = Self.accrualDate(of: input, covering: covered)
        let late = calculator.amounts(principal: principal, dueDate: accrualDate, asOf: input.dueDate)
        let abis = Array(Set(covered.map(\.abi))).sorted()
        let gru = GRURecord(
            number: number, registroANS: event.registroANS, purpose: .charge, chargeIDs: covered.map(\.id), abis: abis,
            principal: principal, multa: late.multa, juros: late.juros, issuedOn: event.chargeableOn, dueDate: input.dueDate,
            accrualDate: accrualDate, chargedOn: event.chargeableOn,
            linhaDigitavel: linhaDigitavel(number, amount: principal + late.multa + late.juros, dueDate: input.dueDate))
        let charge = ChargeIssued(chargeID: input.chargeID, abi: event.abi, registroANS: event.registroANS,
                                  atendimentos: input.charged, total: input.total, gruNumber: number,
                                  accumulatedSmallCharges: .zero, issuedOn: event.chargeableOn)
        return (gru, charge)
    }

    /// The `ChargeIssued` of a charge held as small, with the operadora's held total.
    static func heldChargeIssued(_ input: ChargeInput, heldTotal: Money) -> ChargeIssued {
        ChargeIssued(chargeID: input.chargeID, abi: input.event.abi, registroANS: input.event.registroANS,
                     atendimentos: input.charged, total: input.total, gruNumber: nil, accumulatedSmallCharges: heldTotal,
                     issuedOn: input.event.chargeableOn)
    }

    func charge(_ event: AtendimentosChargeable, context: HandlerContext) throws {
        let connection = context.connection
        guard let input = chargeInput(event) else { return }
        let charged = input.charged
        let values: [any PostgresEncodable] = [
            input.chargeID, event.abi.value, event.registroANS.value, input.total.centavos, event.chargeableOn.postgres,
            input.accrual.postgres, input.dueDate.postgres, charged.map(\.document.value),
            charged.map { String($0.amount.centavos) }, charged.map { $0.competencia?.description ?? "" }]
        var covered: [HeldCharge] = []
        var drawn: GRUNumber?
        if input.total > policy.smallDebtThreshold {
            // Its own GRU: the number is drawn in the same statement (a replay leaves a gap, harmless).
            let rows = try connection.query(Self.insertCoveredCharge, values + [policy.gruIssuerPrefix])
            // Seen before (a replay): nothing changes.
            guard let row = rows.first else { return }
            drawn = try GRUNumber(try row.decode(String.self, at: 0))
            covered = [input.held]
        } else {
            // Seen before (a replay): nothing changes.
            guard try connection.execute(Self.insertCharge, values) == 1 else { return }
            let heldList = try connection.query(Self.heldCharges, [event.registroANS.value]).map(Self.heldCharge(row:))
            let heldTotal = Money.sum(heldList.map(\.total))
            guard heldTotal > policy.smallDebtThreshold else {
                try emit(Self.heldChargeIssued(input, heldTotal: heldTotal), context: context)
                return
            }
            covered = heldList
        }

        let number: GRUNumber
        if let drawn {
            number = drawn
        } else {
            number = try nextGRUNumber(on: connection)
            _ = try connection.execute(Self.coverCharges, [covered.map(\.id), number.value])
        }
        // Acréscimos only when the accrual starts before the due date (the stored SELIC months are read
        // only then: most charges accrue from their due date).
        let calculator = try Self.accrualDate(of: input, covering: covered) < input.dueDate
            ? withPublishedSelic(on: connection).settings.calculator : settings.calculator
        let (gru, charge) = coveringGRU(for: input, covered: covered, number: number, calculator: calculator)
        try issue(gru, after: [charge], context: context)
    }

    static func heldCharge(row: PostgresRow) throws -> HeldCharge {
        HeldCharge(id: try row.decode(String.self, at: 0), abi: try ABINumber(try row.decode(Int.self, at: 1)),
                   total: try row.money(at: 2), accrual: try row.civilDate(at: 3), issuedOn: try row.civilDate(at: 4))
    }

    static let insertCharge = PostgresStatement("""
        INSERT INTO charges (charge_id, abi, registro_ans, total, issued_on, original_due_date, payment_due_date, documents,
            amounts, competencias)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (charge_id) DO NOTHING
        """)

    static let insertCoveredCharge = PostgresStatement("""
        INSERT INTO charges (charge_id, abi, registro_ans, total, issued_on, original_due_date, payment_due_date, documents,
            amounts, competencias, gru_number)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 || lpad(nextval('gru_sequence')::text, 10, '0'))
        ON CONFLICT (charge_id) DO NOTHING RETURNING gru_number
        """)

    static let heldCharges = PostgresStatement("""
        SELECT charge_id, abi, total, original_due_date, issued_on FROM charges
        WHERE registro_ans = $1 AND gru_number IS NULL ORDER BY issued_on, charge_id COLLATE "C"
        """)

    static let coverCharges = PostgresStatement(
        "UPDATE charges SET gru_number = $2 WHERE charge_id = ANY($1::text[])")
}
