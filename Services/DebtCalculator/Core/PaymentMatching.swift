import Foundation
import Models
import Postgres
import Runtime

/// How a payment settles an open GRU (DOMAIN §5, §7). What is due on the payment date is
/// `LateChargeCalculator(openPrincipal, accrualDate, paidOn)` (an installment GRU: its base updated by
/// SELIC + 1% from the concession, DOMAIN §6). Policy for a partial payment: it is split in the
/// proportion of what was due (principal : multa : juros, each rounded half-up, juros taking the
/// rounding difference), so the open principal drops by the principal share and the rest stays
/// open accruing from the same accrual date.
struct PaymentSplit: Sendable, Hashable {
    var principal: Money
    var multa: Money
    var juros: Money
    var credit: Money
    var total: Money { principal + multa + juros }

    /// Splits `amount` against what was due (`principal` + `multa` + `juros`).
    static func split(amount: Money, principal: Money, multa: Money, juros: Money) -> PaymentSplit {
        let due = principal + multa + juros
        if amount >= due {
            return PaymentSplit(principal: principal, multa: multa, juros: juros, credit: amount - due)
        }
        func share(_ part: Money) -> Money {
            // part × amount / due, rounded half-up (integer centavos).
            let numerator = Int128(part.centavos) * Int128(amount.centavos)
            let due128 = Int128(due.centavos)
            return Money(centavos: Int64((2 * numerator + due128) / (2 * due128)))
        }
        var p = share(principal), m = share(multa), j = amount - p - m
        // Keep every part within [0, its due]: the rounding centavo goes where there is room.
        if j < .zero { m += j; j = .zero }
        if m < .zero { p += m; m = .zero }
        if j > juros { let extra = j - juros; j = juros; if m + extra <= multa { m += extra } else { p += extra } }
        return PaymentSplit(principal: p, multa: m, juros: j, credit: .zero)
    }
}

extension DebtLedger {
    /// Matches `payment` to its GRU and records it: always a `PaymentRecorded` (flagged when the GRU
    /// is unknown, cancelled, parcelled or already paid), and, when it settles money, a
    /// `PaymentSettled` with the principal/multa/juros split and a `GRUStateChanged`.
    @discardableResult
    func applyPayment(_ payment: IncomingPayment, context: HandlerContext) throws -> PaymentRecorded {
        let connection = context.connection
        // The same payment id seen before is a second arrival of that payment: kept and flagged.
        let earlier = try connection.query(Self.countPaymentID, [payment.paymentID])[0].decode(Int64.self, at: 0)
        var gru = try GRURecord.lock(Self.normalizedGRUText(payment.gruText), on: connection)
        let outcome = try settle(payment, earlier: earlier, gru: &gru) {
            try amountDue(of: $0, on: payment.paidOn, connection: connection)
        }
        try insertPayment(outcome.recorded, gruText: payment.gruText, origin: payment.origin, split: outcome.split,
                          on: connection)
        if let gru, outcome.changedGRU {
            if outcome.fullyPaid {
                try ScheduledWork.cancel(kind: DebtWork.cadin, key: gru.number.value, on: connection)
                try ScheduledWork.cancel(kind: DebtWork.dividaAtiva, key: gru.number.value, on: connection)
            }
            try gru.save(on: connection)
        }
        try emit(all: outcome.events, context: context)
        if let gru, outcome.changedGRU, gru.purpose == .installment, outcome.fullyPaid {
            try installmentPaid(gru, paidOn: payment.paidOn, amount: outcome.split.total, context: context)
        }
        return outcome.recorded
    }

    /// The GRU number as typed on a payment, without blanks, dots and dashes.
    static func normalizedGRUText(_ text: String) -> String {
        text.filter { !$0.isWhitespace && $0 != "." && $0 != "-" }
    }

    /// What a payment does, computed in memory (no database access except through `amountDue`).
    struct PaymentOutcome {
        var recorded: PaymentRecorded
        var split: PaymentSplit
        /// The events to emit, in order.
        var events: [any DomainEvent]
        /// The GRU took the payment (it must be saved).
        var changedGRU: Bool
        var fullyPaid: Bool
    }

    /// Matches `payment` (`earlier` arrivals of its id already recorded) to `gru` (locked; nil when
    /// unknown) and changes `gru` as the payment settles it. Shared by the per-event and batch paths.
    func settle(_ payment: IncomingPayment, earlier: Int64, gru: inout GRURecord?,
                amountDue: (GRURecord) throws -> (multa: Money, juros: Money, total: Money)) throws -> PaymentOutcome {
        let paymentID = earlier > 0 ? "\(payment.paymentID)#\(earlier + 1)" : payment.paymentID
        func flagged(_ classification: PaymentClassification, _ gru: GRURecord?) -> PaymentOutcome {
            let recorded = PaymentRecorded(
                paymentID: paymentID, gruNumber: gru?.number.value ?? payment.gruText, registroANS: gru?.registroANS,
                amount: payment.amount, paidOn: payment.paidOn, classification: classification, dueOnPaymentDate: nil,
                credit: .zero)
            return PaymentOutcome(recorded: recorded, split: PaymentSplit(principal: .zero, multa: .zero, juros: .zero, credit: .zero),
                                  events: [recorded], changedGRU: false, fullyPaid: false)
        }
        guard var current = gru else { return flagged(.unknownGRU, nil) }
        if earlier > 0 { return flagged(.duplicate, current) }
        switch current.state {
        case .paga, .pagaComAtraso:
            return flagged(.duplicate, current)
        case .cancelada, .parcelada:
            // A parcelled GRU is paid through its installment GRUs: flagged like a cancelled one.
            return flagged(.cancelledGRU, current)
        case .emitida, .suspensaJudicialmente, .inscritaEmDividaAtiva:
            break
        }

        let due = try amountDue(current)
        let split = PaymentSplit.split(amount: payment.amount, principal: current.openPrincipal, multa: due.multa, juros: due.juros)
        let isLate = payment.paidOn > current.dueDate
        let classification: PaymentClassification
        if split.credit > .zero { classification = .over }
        else if payment.amount < due.total { classification = .partial }
        else { classification = isLate ? .late : .onTime }

        let previous = current.state
        current.openPrincipal -= split.principal
        current.paidTotal += split.total
        current.credit += split.credit
        let fullyPaid = current.openPrincipal == .zero
        if fullyPaid { current.state = isLate ? .pagaComAtraso : .paga }
        let recorded = PaymentRecorded(
            paymentID: paymentID, gruNumber: current.number.value, registroANS: current.registroANS, amount: payment.amount,
            paidOn: payment.paidOn, classification: classification, dueOnPaymentDate: due.total, credit: split.credit)
        var events: [any DomainEvent] = [recorded, PaymentSettled(
            paymentID: paymentID, gruNumber: current.number, registroANS: current.registroANS, paidOn: payment.paidOn,
            principal: split.principal, multa: split.multa, juros: split.juros, total: split.total)]
        let reason = fullyPaid
            ? (classification == .over ? "pagamento com excedente (crédito de \(split.credit.formatted))"
                : isLate ? "pagamento com acréscimos" : "pagamento em dia")
            : "pagamento parcial de \(payment.amount.formatted); saldo em aberto"
        // Payment removes CADIN (Lei 10.522/2002 art. 2 §5).
        if fullyPaid && current.inCadin {
            current.inCadin = false
            events.append(CADINChanged(registroANS: current.registroANS, gruNumber: current.number, registered: false,
                                       effectiveOn: payment.paidOn))
        }
        events.append(stateChanged(current, from: previous, on: payment.paidOn, reason: reason))
        gru = current
        return PaymentOutcome(recorded: recorded, split: split, events: events, changedGRU: true, fullyPaid: fullyPaid)
    }

    /// What `gru` asks on `date`: principal with acréscimos from its accrual date (DOMAIN §5), or,
    /// for an installment, its base updated by SELIC + 1% from the concession (DOMAIN §6).
    func amountDue(of gru: GRURecord, on date: CivilDate, connection: PostgresConnection) throws
        -> (multa: Money, juros: Money, total: Money) {
        if gru.purpose == .installment, let id = gru.parcelamentoID {
            let concession = try connection.query(Self.concessionDate, [id])[0].civilDate(at: 0)
            let updated = try settings.parcelamentoRules.installmentAmount(
                base: gru.openPrincipal, concessionDate: concession, paymentDate: max(date, concession),
                allowingProvisional: true)
            return (.zero, updated.amount - gru.openPrincipal, updated.amount)
        }
        // The same amounts as `calculate` (missing SELIC months counted as 0, as a provisional result).
        let late = settings.calculator.amounts(principal: gru.openPrincipal, dueDate: gru.accrualDate, asOf: date)
        return (late.multa, late.juros, late.total)
    }

    private func insertPayment(_ recorded: PaymentRecorded, gruText: String, origin: String, split: PaymentSplit,
                               on connection: PostgresConnection) throws {
        let known = recorded.registroANS != nil
        _ = try connection.execute(Self.insertPaymentStatement, [
            recorded.paymentID.split(separator: "#").first.map(String.init) ?? recorded.paymentID, gruText,
            known ? recorded.gruNumber : nil, recorded.registroANS?.value, recorded.amount.centavos,
            recorded.paidOn.postgres, origin, recorded.classification.rawValue, recorded.dueOnPaymentDate?.centavos,
            split.credit.centavos, split.principal.centavos, split.multa.centavos, split.juros.centavos])
    }

    static let countPaymentID = PostgresStatement("SELECT count(*) FROM payments WHERE payment_id = $1")
    static let concessionDate = PostgresStatement("SELECT concession_date FROM parcelamentos WHERE parcelamento_id = $1")
    static let insertPaymentStatement = PostgresStatement("""
        INSERT INTO payments (payment_id, gru_text, gru_number, registro_ans, amount, paid_on, origin, classification,
            due_on_payment_date, credit, principal, multa, juros)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        """)
}
