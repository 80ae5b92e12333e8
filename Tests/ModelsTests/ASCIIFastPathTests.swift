import Foundation
import Models
import Testing

/// The byte-level fast paths of date and identifier parsing give what the general Character-based
/// rules give. Padding a text with spaces sends it down the general path (the fast paths take only
/// text that needs no trimming), so each input is parsed both ways and the outcomes compared.
@Suite("ASCII fast paths of parsing")
struct ASCIIFastPathTests {
    /// The outcome of parsing `input`: the value's description, or the error's description with
    /// the quoted input replaced by a placeholder (errors quote it as given, padding included).
    static func outcome(_ input: String, _ parse: (String) throws -> CustomStringConvertible) -> String {
        do { return "ok " + (try parse(input)).description } catch {
            return "error " + String(describing: error).replacingOccurrences(of: "'\(input)'", with: "'«input»'")
        }
    }

    static func bothWays(_ text: String, _ parse: (String) throws -> CustomStringConvertible) -> (fast: String, general: String) {
        (outcome(text, parse), outcome(" \(text)\t", parse))
    }

    static let dateInputs = [
        "2026-03-16", "2024-02-29", "2025-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "0000-01-01", "9999-12-31",
        "2025-4-30", "2025/04/30", "30/04/2025", "20250430", "2025-04-3x", "２０２５-04-30", "2025-04-٣0", "2025-04-30Z",
        "", "-", "2025--04-30", "2025-04-30-",
    ]

    @Test("CivilDate", arguments: dateInputs)
    func civilDate(text: String) {
        let (fast, general) = Self.bothWays(text) { try CivilDate(parsing: $0) }
        #expect(fast == general)
    }

    @Test("every day of 1999-2031 in ISO form parses to itself, as the Brazilian form does")
    func everyDay() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var date = calendar.date(from: DateComponents(year: 1999, month: 1, day: 1))!
        let end = calendar.date(from: DateComponents(year: 2032, month: 1, day: 1))!
        var days = 0
        while date < end {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let iso = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            let parsed = try CivilDate(parsing: iso)
            #expect((parsed.year, parsed.month, parsed.day) == (c.year!, c.month!, c.day!), "\(iso)")
            #expect(try CivilDate(parsing: String(format: "%02d/%02d/%04d", c.day!, c.month!, c.year!)) == parsed)
            date = calendar.date(byAdding: .day, value: 1, to: date)!
            days += 1
        }
        #expect(days == 12_053)
    }

    @Test("YearMonth", arguments: ["2026-03", "0001-12", "0000-01", "2026-00", "2026-13", "2026-1", "03/2026", "2026-0x", "２０２６-03", ""])
    func yearMonth(text: String) {
        let (fast, general) = Self.bothWays(text) { try YearMonth(parsing: $0) }
        #expect(fast == general)
    }

    @Test("identifiers", arguments: [
        "0000000000001", "1234567890123", "123456789012", "12345678901234", "123456789012x", "12345678901٣3", "１234567890123", "",
        "123456", "12345", "000000", "0301010072", "03.01.01.007-2", "030101007-2", "1234567",
    ])
    func identifiers(text: String) {
        for parse: (String) throws -> CustomStringConvertible in [
            { try SUSDocumentNumber($0) }, { try RegistroANS($0) }, { try SIGTAPCode($0) }, { try CNES($0) },
        ] {
            let (fast, general) = Self.bothWays(text, parse)
            #expect(fast == general, "\(text)")
        }
    }

    @Test func untrimmedTextIsKeptAndPaddedTextTrimmed() throws {
        #expect(try RegistroANS("123456").value == "123456")
        #expect(try RegistroANS("\u{00A0}123456\n").value == "123456")  // no-break space: the general path
        #expect(throws: IdentifierError.self) { try RegistroANS("12345\u{0301}6") }
        #expect(try SIGTAPCode("03.01.01.007-2").value == "0301010072")
    }
}
