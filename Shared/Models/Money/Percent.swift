/// An exact percentage in hundredths of a percent (basis points): 1.14% is `Percent(basisPoints: 114)`.
///
/// Every rate in the rules has at most two decimals (SELIC monthly rates, 0.33% a day, 1.5 = 150%),
/// so basis points are exact. Codable as a JSON **integer of basis points**.
public struct Percent: Hashable, Comparable, Sendable, Codable {
    /// Hundredths of a percent.
    public var basisPoints: Int64

    /// Basis points in 100%.
    public static let basisPointsPerUnit: Int128 = 10_000

    public init(basisPoints: Int64) {
        self.basisPoints = basisPoints
    }

    /// A whole percentage, e.g. `Percent(whole: 20)` is 20%.
    public init(whole: Int64) {
        self.basisPoints = whole * 100
    }

    public static let zero = Percent(basisPoints: 0)

    public init(from decoder: any Decoder) throws {
        basisPoints = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(basisPoints)
    }

    public static func < (lhs: Percent, rhs: Percent) -> Bool { lhs.basisPoints < rhs.basisPoints }
    public static func + (lhs: Percent, rhs: Percent) -> Percent { Percent(basisPoints: lhs.basisPoints + rhs.basisPoints) }
    public static func - (lhs: Percent, rhs: Percent) -> Percent { Percent(basisPoints: lhs.basisPoints - rhs.basisPoints) }
    public static func += (lhs: inout Percent, rhs: Percent) { lhs.basisPoints += rhs.basisPoints }
    public static func * (lhs: Percent, rhs: Int64) -> Percent { Percent(basisPoints: lhs.basisPoints * rhs) }

    /// Dot-decimal text with two decimals, e.g. `"1.14"`, `"-0.50"` (CSV, JSON views).
    public var decimalString: String {
        DecimalText.dotDecimal(basisPoints)
    }

    /// Brazilian text, e.g. `"1,14%"`.
    public var formatted: String {
        DecimalText.brazilian(basisPoints, grouping: false) + "%"
    }

    /// Parses a percentage with up to two decimals, dot or comma decimal separator, optional `%`:
    /// `"1.14"`, `"1,14%"`, `"20"`.
    public init(parsing text: String) throws(AmountParseError) {
        var trimmed = text.trimmingWhitespace()
        if trimmed.hasSuffix("%") { trimmed.removeLast() }
        self.init(basisPoints: try DecimalText.parseHundredths(trimmed.trimmingWhitespace(), original: text))
    }
}
