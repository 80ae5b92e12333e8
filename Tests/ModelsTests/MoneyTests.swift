import Foundation
import Models
import Testing

@Suite("Money and Percent")
struct MoneyTests {
    @Test("parses the accepted formats", arguments: [
        ("1234.56", Int64(123_456)), ("1.234,56", 123_456), ("R$ 1.234,56", 123_456), ("R$1.234,56", 123_456),
        ("1234,56", 123_456), ("1,234.56", 123_456), ("1234", 123_400), ("1234.5", 123_450), ("0.01", 1),
        ("-R$ 1.234,56", -123_456), ("-10.00", -1_000), ("  10000.00 ", 1_000_000), ("1.234.567,89", 123_456_789),
        ("1.234.567", 123_456_700),
    ])
    func parses(text: String, centavos: Int64) throws {
        #expect(try Money(parsing: text).centavos == centavos)
    }

    @Test("refuses malformed amounts", arguments: [
        "", "abc", "12.345.67", "1.234", "1,234", "10.001", "R$", "1,2,3", "1.23.456,00", "--5", "1e3", "12.",
    ])
    func refuses(text: String) {
        #expect(throws: AmountParseError.self) { try Money(parsing: text) }
    }

    @Test("formats in Brazilian style", arguments: [
        (Int64(123_456), "R$ 1.234,56"), (0, "R$ 0,00"), (5, "R$ 0,05"), (-123_456, "-R$ 1.234,56"),
        (100_000_000_00, "R$ 100.000.000,00"), (99_999, "R$ 999,99"),
    ])
    func formats(centavos: Int64, text: String) {
        #expect(Money(centavos: centavos).formatted == text)
        #expect(try! Money(parsing: text).centavos == centavos)
    }

    /// The byte-buffer formatter agrees with the straightforward String-based one it replaced.
    @Test func formattingMatchesTheStringBasedReference() {
        func reference(_ hundredths: Int64, grouping: Bool) -> String {
            let sign = hundredths < 0 ? "-" : ""
            let magnitude = hundredths.magnitude
            var integer = String(magnitude / 100)
            if grouping {
                var groups: [Substring] = []
                while integer.count > 3 {
                    groups.insert(integer.suffix(3), at: 0)
                    integer.removeLast(3)
                }
                groups.insert(Substring(integer), at: 0)
                integer = groups.joined(separator: ".")
            }
            let fraction = magnitude % 100
            return "\(sign)\(integer),\(fraction < 10 ? "0" : "")\(fraction)"
        }
        var values: [Int64] = [0, 1, 9, 10, 99, 100, 999_99, 1000_00, Int64.max, Int64.min, -1, -100_000_00]
        for digits in 1...18 { values += [Int64.random(in: 0..<Int64(pow(10, Double(digits))))].flatMap { [$0, -$0] } }
        for value in values {
            #expect(Money(centavos: value).formatted == (value < 0 ? "-R$ " : "R$ ") + reference(Int64(clamping: value.magnitude), grouping: true))
            #expect(Percent(basisPoints: value).formatted == reference(value, grouping: false) + "%")
        }
    }

    @Test func decimalString() {
        #expect(Money(centavos: 1_156_700).decimalString == "11567.00")
        #expect(Money(centavos: -5).decimalString == "-0.05")
    }

    @Test("percent application rounds half-up", arguments: [
        (Int64(1_000_000), Int64(1353), Int64(135_300)),  // 13.53% of 10,000.00
        (50, 100, 1),  // 1% of 0.50 = 0.005 → 0.01
        (49, 100, 0),  // 0.0049 → 0.00
        (12_345, 1353, 1670),  // 16.702785 → 16.70
        (10_001, 15_000, 15_002),  // 1.5 × 100.01 = 150.015 → 150.02
        (-50, 100, -1),  // ties away from zero
    ])
    func applying(centavos: Int64, basisPoints: Int64, expected: Int64) {
        #expect(Money(centavos: centavos).applying(Percent(basisPoints: basisPoints)).centavos == expected)
    }

    @Test func increasedAndDivided() {
        #expect(Money(centavos: 333_333).increased(by: Percent(basisPoints: 210)).centavos == 340_333)
        #expect(Money(centavos: 1_000_000).divided(by: 3).centavos == 333_333)
        #expect(Money(centavos: 200).divided(by: 3).centavos == 67)
        #expect(Money(centavos: 5).divided(by: 2).centavos == 3)
    }

    @Test func codableAsIntegerCentavos() throws {
        let data = try JSONEncoder().encode(["valor": Money(centavos: 123_456)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"valor":123456}"#)
        #expect(try JSONDecoder().decode(Money.self, from: Data("987".utf8)) == Money(centavos: 987))
    }

    @Test func percentParsingAndText() throws {
        #expect(try Percent(parsing: "1.14").basisPoints == 114)
        #expect(try Percent(parsing: "1,14%").basisPoints == 114)
        #expect(try Percent(parsing: "20").basisPoints == 2000)
        #expect(Percent(basisPoints: 1353).decimalString == "13.53")
        #expect(Percent(basisPoints: 5).formatted == "0,05%")
        #expect(throws: AmountParseError.self) { try Percent(parsing: "1.145") }
    }
}
