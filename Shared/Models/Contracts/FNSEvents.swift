import Foundation

// The FNS transfer recorder's events (DOMAIN §8) on `Topics.fns`, keyed by the collection month.

/// Whether a repasse is a month's first (regular) transfer or a later complementary one carrying
/// settlements that arrived after the month was transferred.
public enum RepasseKind: String, Codable, Sendable, Hashable, CaseIterable {
    case regular = "regular"
    case complementary = "complementar"
}

/// What started a repasse.
public enum RepasseTrigger: String, Codable, Sendable, Hashable {
    /// The monthly schedule (by the last business day of the month after the collection month).
    case scheduled = "agendado"
    /// An operator (`ressus fns repassar --mes`).
    case operatorRequest = "operador"
    /// Settlements for an already transferred month (complementary repasse).
    case lateSettlements = "liquidacao_tardia"
}

/// Money collected in `collectionMonth` (settled payments, by the month of their payment date)
/// transferred to the Fundo Nacional de Saúde in one batch, split by component
/// (`principal + multa + juros == total`). Each settlement is transferred exactly once.
public struct RepasseTransferred: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("fns.repasse-transferred", version: 1)
    /// Stable id: `"<collectionMonth>/<sequence>"`, e.g. `"2026-03/1"`.
    public var repasseID: String
    public var collectionMonth: YearMonth
    /// 1 for the regular transfer of the month, 2, 3, … for complementary ones.
    public var sequence: Int
    public var kind: RepasseKind
    public var trigger: RepasseTrigger
    public var transferredOn: CivilDate
    public var principal: Money
    public var multa: Money
    public var juros: Money
    public var total: Money
    /// Settled payments in this batch.
    public var paymentCount: Int
    public var partitionKey: String { collectionMonth.description }

    public init(repasseID: String, collectionMonth: YearMonth, sequence: Int, kind: RepasseKind, trigger: RepasseTrigger,
                transferredOn: CivilDate, principal: Money, multa: Money, juros: Money, total: Money, paymentCount: Int) {
        self.repasseID = repasseID
        self.collectionMonth = collectionMonth
        self.sequence = sequence
        self.kind = kind
        self.trigger = trigger
        self.transferredOn = transferredOn
        self.principal = principal
        self.multa = multa
        self.juros = juros
        self.total = total
        self.paymentCount = paymentCount
    }
}
