import Models

/// Speeds up validating millions of rows without changing any rule: values that repeat across rows
/// (registro ANS, CNES, SIGTAP, competência) are parsed once by their Models type and remembered;
/// ISO dates and plain dot-decimal amounts are read directly from their ASCII digits, and
/// everything else (other formats, errors and their messages) goes through the Models parsers.
final class FastParsing {
    /// Distinct values remembered per kind at most (memory stays bounded on any input).
    static let cacheLimit = 50_000

    private var registros: [String: RegistroANS] = [:]
    private var cnes: [String: CNES] = [:]
    private var procedures: [String: SIGTAPCode] = [:]
    private var competencias: [String: YearMonth] = [:]

    func registroANS(_ text: String) throws -> RegistroANS { try cached(text, &registros) { try RegistroANS($0) } }
    func cnes(_ text: String) throws -> CNES { try cached(text, &cnes) { try CNES($0) } }
    func procedure(_ text: String) throws -> SIGTAPCode { try cached(text, &procedures) { try SIGTAPCode($0) } }
    func competencia(_ text: String) throws -> YearMonth { try cached(text, &competencias) { try YearMonth(parsing: $0) } }

    /// `AAAA-MM-DD` read directly (existence still checked by `CivilDate`), else `CivilDate(parsing:)`.
    func date(_ text: String) throws -> CivilDate {
        var text = text
        let parts: (Int, Int, Int)? = text.withUTF8 { bytes in
            guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
                  let y = Self.digits(bytes, 0..<4), let m = Self.digits(bytes, 5..<7), let d = Self.digits(bytes, 8..<10)
            else { return nil }
            return (y, m, d)
        }
        if let (y, m, d) = parts, let date = try? CivilDate(year: y, month: m, day: d) { return date }
        return try CivilDate(parsing: text)
    }

    /// `1234` or `1234.5` / `1234.56` read directly, else `Money(parsing:)` (Brazilian formats, errors).
    func money(_ text: String) throws -> Money {
        var text = text
        let centavos: Int64? = text.withUTF8 { bytes in
            guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
            let dot = bytes.firstIndex(of: 0x2E)
            let whole = dot ?? bytes.count
            guard whole > 0, let reais = Self.digits(bytes, 0..<whole) else { return nil }
            guard let dot else { return Int64(reais) * 100 }
            let fraction = bytes.count - dot - 1
            guard (1...2).contains(fraction), let cents = Self.digits(bytes, (dot + 1)..<bytes.count) else { return nil }
            return Int64(reais) * 100 + Int64(fraction == 1 ? cents * 10 : cents)
        }
        if let centavos { return Money(centavos: centavos) }
        return try Money(parsing: text)
    }

    private func cached<T>(_ text: String, _ cache: inout [String: T], _ parse: (String) throws -> T) throws -> T {
        if let hit = cache[text] { return hit }
        let value = try parse(text)
        if cache.count < Self.cacheLimit { cache[text] = value }
        return value
    }

    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
