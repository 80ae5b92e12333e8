/// Byte-level fast paths for the fixed ASCII formats that every event carries many times over
/// (document numbers, registros ANS, procedure codes, dates, competências). The Character-based
/// rules (`trimmingWhitespace`, `isNumber`, `split`) look Unicode properties up for each
/// character; profiled, they were a third of a service's CPU when decoding 50-atendimento events.
/// Each fast path accepts only text the general rule accepts with the same result, and returns nil
/// otherwise so that the general rule (with its error messages) decides.
enum ASCIIFastPath {
    /// `text` itself when it starts and ends with an ASCII character that is not whitespace
    /// (so trimming would not change it); nil otherwise.
    static func untrimmed(_ text: String) -> String? {
        guard let first = text.utf8.first, let last = text.utf8.last,
              isPlainASCII(first), isPlainASCII(last) else { return nil }
        return text
    }

    /// `text` when it is exactly `count` ASCII digits; nil otherwise.
    static func digits(_ text: String, count: Int) -> String? {
        let utf8 = text.utf8
        guard utf8.count == count, utf8.allSatisfy(isDigit) else { return nil }
        return text
    }

    /// The values of the digit runs of `text` when it is exactly `pattern`, with `9` standing for
    /// a digit and any other byte for itself (`"9999-99-99"` → `[year, month, day]`); nil otherwise.
    static func numbers(in text: String, pattern: StaticString) -> [Int]? {
        let utf8 = text.utf8
        guard utf8.count == pattern.utf8CodeUnitCount else { return nil }
        var values: [Int] = [], current: Int?
        var index = utf8.startIndex
        for position in 0..<pattern.utf8CodeUnitCount {
            let expected = pattern.utf8Start[position], byte = utf8[index]
            index = utf8.index(after: index)
            if expected == UInt8(ascii: "9") {
                guard isDigit(byte) else { return nil }
                current = (current ?? 0) * 10 + Int(byte &- UInt8(ascii: "0"))
            } else {
                guard byte == expected else { return nil }
                if let value = current { values.append(value) }
                current = nil
            }
        }
        if let value = current { values.append(value) }
        return values
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// ASCII and not whitespace (Unicode White_Space within ASCII: tab to carriage return, space).
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
    }
}
