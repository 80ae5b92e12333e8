import Foundation

/// A payment received by an upstream system (bank integration, Tesouro's PagTesouro, …) on
/// `Topics.upstreamPayments`, input of the debt calculator. The same fields as a row of the
/// bank-return file (`ressus pagamentos importar`); the debt calculator matches it to its GRU and
/// answers with ``PaymentRecorded`` (and ``PaymentSettled`` when it settles money) on `Topics.debts`.
public struct PaymentReceived: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("payment.received", version: 1)
    /// Stable id of the payment in the upstream system (e.g. bank + date + sequence).
    public var paymentID: String
    /// The GRU number as paid (17 digits expected; anything else is kept and flagged).
    public var gruNumber: String
    public var amount: Money
    public var paidOn: CivilDate
    /// Who reported it (e.g. "banco-001").
    public var origin: String
    public var partitionKey: String { gruNumber }

    public init(paymentID: String, gruNumber: String, amount: Money, paidOn: CivilDate, origin: String) {
        self.paymentID = paymentID
        self.gruNumber = gruNumber
        self.amount = amount
        self.paidOn = paidOn
        self.origin = origin
    }
}
