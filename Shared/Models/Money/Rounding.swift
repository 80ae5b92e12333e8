/// Exact integer division rounded half-up (ties away from zero), the rounding every amount uses.
@inlinable
func divideRoundingHalfUp(_ numerator: Int128, by denominator: Int128) -> Int128 {
    precondition(denominator > 0, "denominator must be positive")
    let magnitude = numerator.magnitude
    let d = denominator.magnitude
    let (q, r) = magnitude.quotientAndRemainder(dividingBy: d)
    let rounded = r * 2 >= d ? q + 1 : q
    return numerator < 0 ? -Int128(rounded) : Int128(rounded)
}

/// Narrows a computed amount to Int64 centavos; amounts beyond ±92 quadrillion reais are a bug.
@inlinable
func narrowToCentavos(_ value: Int128) -> Int64 {
    guard let narrowed = Int64(exactly: value) else {
        preconditionFailure("amount out of range: \(value) centavos")
    }
    return narrowed
}
