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
            _ = try ledger.withPublishedSelic(on: context.connection).applyPayment(try Self.payment(event), context: context)
        default:
            return
        }
    }

    /// The same work as `handle` on each event in order, set-based: each run of consecutive charges
    /// or payments is applied with a few multi-row statements (``DebtLedger/chargeBatch(_:context:)``,
    /// ``DebtLedger/applyPayments(_:context:)``). A throw undoes the whole call; the inbox then applies
    /// the events one by one with `handle`, so a failing event is dead-lettered alone.
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        var index = events.startIndex
        while index < events.endIndex {
            let type = events[index].type
            let end = events[index...].firstIndex { $0.type != type } ?? events.endIndex
            let run = events[index..<end]
            switch type {
            case AtendimentosChargeable.eventType:
                try ledger.chargeBatch(try run.map { try $0.decode(AtendimentosChargeable.self) }, context: context)
            case PaymentReceived.eventType:
                try ledger.withPublishedSelic(on: context.connection).applyPayments(try run.map(Self.payment), context: context)
            default:
                break
            }
            index = end
        }
    }

    /// The payment of a `PaymentReceived`. A payment of zero or less would raise what is open on the
    /// GRU: it throws, to the DLT, never applied.
    static func payment(_ event: EventEnvelope) throws -> IncomingPayment {
        let payment = try event.decode(PaymentReceived.self)
        guard payment.amount > .zero else { throw InvalidPayment(paymentID: payment.paymentID, amount: payment.amount) }
        return IncomingPayment(paymentID: payment.paymentID, gruText: payment.gruNumber, amount: payment.amount,
                               paidOn: payment.paidOn, origin: payment.origin)
    }
}

/// A `PaymentReceived` whose amount is zero or negative: the inbox retries it, then moves it to
/// `<topic>.DLT` (a bank-return file refuses such a row itself, see ``PaymentFile``).
public struct InvalidPayment: Error, CustomStringConvertible {
    public let paymentID: String
    public let amount: Money
    public var description: String { "payment \(paymentID): amount \(amount.decimalString) is not positive" }
}
