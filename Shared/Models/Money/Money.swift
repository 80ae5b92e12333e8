/// An amount of Brazilian reais held as an exact integer number of centavos.
///
/// Codable as a JSON **integer of centavos** (`1234.56` reais is encoded as `123456`).
/// Arithmetic is exact; anything that divides or applies a percentage rounds half-up to the centavo.
public struct Money: Hashable, Comparable, Sendable, Codable {
    /// The amount in centavos (1/100 of a real).
    public var centavos: Int64

    public init(centavos: Int64) {
        self.centavos = centavos
    }

    /// Whole reais, e.g. `Money(reais: 100)` is R$ 100,00.
    public init(reais: Int64) {
        self.centavos = reais * 100
    }

    public static let zero = Money(centavos: 0)

    public init(from decoder: any Decoder) throws {
        centavos = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(centavos)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.centavos < rhs.centavos }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(centavos: lhs.centavos + rhs.centavos) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(centavos: lhs.centavos - rhs.centavos) }
    public static prefix func - (value: Money) -> Money { Money(centavos: -value.centavos) }
    public static func += (lhs: inout Money, rhs: Money) { lhs.centavos += rhs.centavos }
    public static func -= (lhs: inout Money, rhs: Money) { lhs.centavos -= rhs.centavos }

    /// The amount times a whole number (exact).
    public func multiplied(by factor: Int64) -> Money {
        Money(centavos: centavos * factor)
    }

    /// `percent` of this amount, rounded half-up to the centavo (e.g. 2.14% of R$ 10.000,00 = R$ 214,00).
    @inlinable
    public func applying(_ percent: Percent) -> Money {
        let product = Int128(centavos) * Int128(percent.basisPoints)
        return Money(centavos: narrowToCentavos(divideRoundingHalfUp(product, by: Percent.basisPointsPerUnit)))
    }

    /// This amount increased by `percent`: `self × (1 + percent/100)`, rounded half-up once.
    public func increased(by percent: Percent) -> Money {
        let product = Int128(centavos) * Int128(Percent.basisPointsPerUnit + Int128(percent.basisPoints))
        return Money(centavos: narrowToCentavos(divideRoundingHalfUp(product, by: Percent.basisPointsPerUnit)))
    }

    /// This amount divided by a positive whole number, rounded half-up to the centavo.
    public func divided(by divisor: Int) -> Money {
        precondition(divisor > 0, "divisor must be positive")
        return Money(centavos: narrowToCentavos(divideRoundingHalfUp(Int128(centavos), by: Int128(divisor))))
    }

    /// The sum of the amounts.
    public static func sum<S: Sequence>(_ amounts: S) -> Money where S.Element == Money {
        amounts.reduce(.zero, +)
    }
}
