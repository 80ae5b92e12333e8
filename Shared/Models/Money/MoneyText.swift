extension Money {
    /// Parses an amount in reais: `"1234.56"`, `"1.234,56"`, `"R$ 1.234,56"`, `"-R$ 10,00"`, `"100"`.
    /// At most two decimals; see `DecimalText.parseHundredths` for the separator rules.
    public init(parsing text: String) throws(AmountParseError) {
        var body = text.trimmingWhitespace()
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body.removeFirst()
            body = body.trimmingWhitespace()
        }
        if body.hasPrefix("R$") {
            body.removeFirst(2)
            body = body.trimmingWhitespace()
        }
        if negative, body.hasPrefix("-") { throw .invalidCharacters(text) }
        let hundredths = try DecimalText.parseHundredths(body, original: text)
        self.init(centavos: negative ? -hundredths : hundredths)
    }

    /// Brazilian formatting: `"R$ 1.234,56"`, negative `"-R$ 1.234,56"`.
    public var formatted: String {
        let text = DecimalText.brazilian(Int64(clamping: centavos.magnitude), grouping: true)
        return centavos < 0 ? "-R$ \(text)" : "R$ \(text)"
    }

    /// Plain dot-decimal text with two decimals, e.g. `"1234.56"` (CSV and JSON views).
    public var decimalString: String {
        DecimalText.dotDecimal(centavos)
    }
}

extension Money: CustomStringConvertible {
    public var description: String { formatted }
}
