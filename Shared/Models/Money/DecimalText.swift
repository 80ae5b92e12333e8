/// Why a text is not a valid amount or percentage.
public enum AmountParseError: DomainError, Equatable {
    case empty
    case invalidCharacters(String)
    case tooManyDecimals(String)
    case ambiguousSeparator(String)
    case badGrouping(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .empty: "empty amount"
        case .invalidCharacters(let t): "'\(t)' is not a number"
        case .tooManyDecimals(let t): "'\(t)' has more than two decimal places"
        case .ambiguousSeparator(let t): "'\(t)' is ambiguous: one separator followed by three digits"
        case .badGrouping(let t): "'\(t)' has misplaced thousands separators"
        case .outOfRange(let t): "'\(t)' is out of range"
        }
    }

    public var descricao: String {
        switch self {
        case .empty: "valor vazio"
        case .invalidCharacters(let t): "'\(t)' não é um valor numérico"
        case .tooManyDecimals(let t): "'\(t)' tem mais de duas casas decimais"
        case .ambiguousSeparator(let t):
            "'\(t)' é ambíguo (separador seguido de três dígitos); use 1234.56 ou 1.234,56"
        case .badGrouping(let t): "'\(t)' tem separadores de milhar fora de posição"
        case .outOfRange(let t): "'\(t)' está fora do intervalo permitido"
        }
    }
}

/// Text conversions for values held in hundredths (centavos, basis points).
enum DecimalText {
    /// `"1234.56"` / `"-0.05"`.
    static func dotDecimal(_ hundredths: Int64) -> String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `"1.234,56"` (with grouping) or `"1234,56"`.
    static func brazilian(_ hundredths: Int64, grouping: Bool) -> String {
        // Written right to left into a stack buffer (reports format tens of thousands of amounts):
        // at most 19 digits, 6 group dots, the comma and the sign.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var index = buffer.count
            func put(_ byte: UInt8) {
                index -= 1
                buffer[index] = byte
            }
            let magnitude = hundredths.magnitude
            put(0x30 + UInt8(magnitude % 10))
            put(0x30 + UInt8(magnitude / 10 % 10))
            put(0x2C)  // ","
            var integer = magnitude / 100, digits = 0
            repeat {
                if grouping && digits > 0 && digits % 3 == 0 { put(0x2E) }  // "."
                put(0x30 + UInt8(integer % 10))
                integer /= 10
                digits += 1
            } while integer > 0
            if hundredths < 0 { put(0x2D) }  // "-"
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[index...]), as: UTF8.self)
        }
    }

    /// Parses an unsigned-or-signed decimal with at most two decimals into hundredths.
    ///
    /// Accepts `1234.56`, `1234,56`, `1.234,56`, `1,234.56`, `1.234.567`, `-10`. When both separators occur,
    /// the last one is the decimal separator. A single separator followed by exactly three digits
    /// (`1.234`) is refused as ambiguous.
    static func parseHundredths(_ text: String, original: String) throws(AmountParseError) -> Int64 {
        var body = Substring(text)
        guard !body.isEmpty else { throw .empty }
        var negative = false
        if body.first == "-" || body.first == "+" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }),
              body.first!.isNumber
        else { throw .invalidCharacters(original) }

        let dots = body.filter { $0 == "." }.count
        let commas = body.filter { $0 == "," }.count
        var decimalSeparator: Character?
        var groupSeparator: Character?
        if dots > 0 && commas > 0 {
            decimalSeparator = body.lastIndex(of: ".")! > body.lastIndex(of: ",")! ? "." : ","
            groupSeparator = decimalSeparator == "." ? "," : "."
            let decimals = body.filter { $0 == decimalSeparator }.count
            guard decimals == 1 else { throw .badGrouping(original) }
        } else if dots + commas == 1 {
            let separator: Character = dots == 1 ? "." : ","
            let after = body.split(separator: separator, omittingEmptySubsequences: false)[1]
            if after.count == 3 { throw .ambiguousSeparator(original) }
            decimalSeparator = separator
        } else if dots + commas > 1 {
            groupSeparator = dots > 0 ? "." : ","
        }

        var integerPart = body
        var fractionPart: Substring = ""
        if let decimalSeparator, let index = body.lastIndex(of: decimalSeparator) {
            integerPart = body[..<index]
            fractionPart = body[body.index(after: index)...]
        }
        guard fractionPart.count <= 2 else { throw .tooManyDecimals(original) }
        guard !(decimalSeparator != nil && fractionPart.isEmpty) else { throw .invalidCharacters(original) }
        guard fractionPart.allSatisfy(\.isNumber) else { throw .badGrouping(original) }
        if let groupSeparator {
            let groups = integerPart.split(separator: groupSeparator, omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }),
                  groups.allSatisfy({ $0.allSatisfy(\.isNumber) })
            else { throw .badGrouping(original) }
            integerPart = Substring(groups.joined())
        }
        guard !integerPart.isEmpty, integerPart.allSatisfy(\.isNumber) else { throw .invalidCharacters(original) }
        let paddedFraction = fractionPart + String(repeating: "0", count: 2 - fractionPart.count)
        guard integerPart.count <= 16, let whole = Int64(integerPart), let cents = Int64(paddedFraction) else {
            throw .outOfRange(original)
        }
        let value = whole * 100 + cents
        return negative ? -value : value
    }
}

extension String {
    /// The text without leading/trailing spaces, tabs, line breaks and no-break spaces.
    func trimmingWhitespace() -> String {
        if let same = ASCIIFastPath.untrimmed(self) { return same }
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
