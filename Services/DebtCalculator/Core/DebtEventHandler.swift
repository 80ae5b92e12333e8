import Foundation
import Models
import Postgres
import Runtime

/// Applies the debt calculator's input events: `AtendimentosChargeable` (from `Topics.deadlines`;
/// every other type on that topic is acknowledged and skipped by the inbox, see
/// `EventHandler.acceptedTypes`) and `PaymentReceived` (from `Topics.upstreamPayments`).
public struct DebtEventHandler: EventHandler {
    public let acceptedTypes: Set<EventType> = [AtendimentosChargeable.eventType, PaymentReceived.eventType]
    let ledger: DebtLedger

    public init(settings: DebtSettings = .standard) {
        ledger = DebtLedger(settings: settings)
    }

    public func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        switch event.type {
        case AtendimentosChargeable.eventType:
            try ledger.charge(try event.decode(AtendimentosChargeable.self), context: context)
        case PaymentReceived.eventType:
            let payment = try event.decode(PaymentReceived.self)
            // A payment of zero or less would raise what is open on the GRU: to the DLT, never applied.
            guard payment.amount > .zero else { throw InvalidPayment(paymentID: payment.paymentID, amount: payment.amount) }
            _ = try ledger.withPublishedSelic(on: context.connection).applyPayment(IncomingPayment(
                paymentID: payment.paymentID, gruText: payment.gruNumber, amount: payment.amount,
                paidOn: payment.paidOn, origin: payment.origin), context: context)
        default:
            return
        }
    }
}

/// A `PaymentReceived` whose amount is zero or negative: the inbox retries it, then moves it to
/// `<topic>.DLT` (a bank-return file refuses such a row itself, see ``PaymentFile``).
public struct InvalidPayment: Error, CustomStringConvertible {
    public let paymentID: String
    public let amount: Money
    public var description: String { "payment \(paymentID): amount \(amount.decimalString) is not positive" }
}
