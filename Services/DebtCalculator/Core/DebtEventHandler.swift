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
            _ = try ledger.withPublishedSelic(on: context.connection).applyPayment(IncomingPayment(
                paymentID: payment.paymentID, gruText: payment.gruNumber, amount: payment.amount,
                paidOn: payment.paidOn, origin: payment.origin), context: context)
        default:
            return
        }
    }
}
