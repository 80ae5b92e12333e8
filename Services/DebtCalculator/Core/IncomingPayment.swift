import Models

/// A payment as received (bank-return row or upstream event), before matching.
public struct IncomingPayment: Sendable, Hashable, Codable {
    public var paymentID: String
    public var gruText: String
    public var amount: Money
    public var paidOn: CivilDate
    public var origin: String

    public init(paymentID: String, gruText: String, amount: Money, paidOn: CivilDate, origin: String) {
        self.paymentID = paymentID
        self.gruText = gruText
        self.amount = amount
        self.paidOn = paidOn
        self.origin = origin
    }
}
