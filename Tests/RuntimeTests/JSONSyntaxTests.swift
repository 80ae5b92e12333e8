import Foundation
import LoadGeneration
@testable import Runtime
import Testing

/// The inbox's JSON check follows RFC 8259 and agrees with Foundation's parser (which it replaces)
/// on hand-picked cases and on thousands of seeded mutations of an event payload, except where
/// Foundation departs from the RFC: it accepts trailing commas (`[1,]`, `{"a":1,}`), which the
/// check refuses, and refuses numbers beyond a Double's range (`1e400`), which the check accepts
/// (the handler's decoding then fails; the event is retried and dead-lettered, never dropped).
@Suite struct JSONSyntaxTests {
    static let valid: [String] = [
        "{}", "[]", "\"\"", "0", "-0", "-0.5e+10", "1E-3", "12345678901234567890", "true", "false", "null",
        " \t\n\r{ \"a\" : [ 1 , 2 , { \"b\" : null } ] , \"c\" : \"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\" } ",
        "\"\\ud83d\\ude00\"", "\"açaí 😀\"", "[[[[[]]]]]", "{\"a\":{\"b\":{\"c\":[true,false]}}}",
    ]
    static let invalid: [String] = [
        "", " ", "{", "}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{1:2}", "[1 2]", "[,1]", "01", "1.",
        ".5", "-", "1e", "1e+", "+1", "0x10", "\"\\x\"", "\"abc", "\"\u{01}\"", "\"tab\there\"", "tru", "nul", "True",
        "{} {}", "[] x", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u12\"", "NaN", "Infinity",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ]

    /// Not JSON by RFC 8259, accepted by Foundation.
    static let trailingCommas = ["{\"a\":1,}", "[1,]", "[[1,],]"]

    static func foundationAccepts(_ data: Data) -> Bool {
        (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
    }

    @Test func handPickedCases() {
        for text in Self.valid {
            #expect(JSONSyntax.isValid(Data(text.utf8)), "\(text) is JSON")
            #expect(Self.foundationAccepts(Data(text.utf8)), "Foundation: \(text)")
        }
        for text in Self.invalid {
            #expect(!JSONSyntax.isValid(Data(text.utf8)), "\(text) is not JSON")
            #expect(!Self.foundationAccepts(Data(text.utf8)), "Foundation: \(text)")
        }
        for text in Self.trailingCommas {
            #expect(!JSONSyntax.isValid(Data(text.utf8)), "\(text) is not JSON")
            #expect(Self.foundationAccepts(Data(text.utf8)), "Foundation: \(text)")
        }
        #expect(JSONSyntax.isValid(Data("1e400".utf8)) && !Self.foundationAccepts(Data("1e400".utf8)))
        // Not UTF-8.
        #expect(!JSONSyntax.isValid(Data([0x22, 0xFF, 0x22])))
        #expect(!Self.foundationAccepts(Data([0x22, 0xFF, 0x22])))
    }

    @Test func agreesWithFoundationOnMutatedPayloads() {
        let payload = Array("""
            {"abi":7,"atendimentos":[{"competencia":"2025-10","document":"3100000000011","finalAmount":101000,\
            "originalAmount":-1.5,"outcome":"nao_impugnado","texto":"a\\u00e9\\n\\\\"}],"ok":true,"nada":null}
            """.utf8)
        // No exponent markers: a mutated exponent soon leaves a Double's range (see above).
        let alphabet = Array("{}[]\",:\\-+.0123456789 tfnu".utf8)
        var generator = SeededGenerator(seed: 2026)
        var disagreements: [String] = [], accepted = 0
        for _ in 0..<3_000 {
            var bytes = payload
            for _ in 0..<generator.inRange(1...3) {
                let position = generator.below(bytes.count)
                switch generator.below(3) {
                case 0: bytes.remove(at: position)
                case 1: bytes.insert(alphabet[generator.below(alphabet.count)], at: position)
                default: bytes[position] = alphabet[generator.below(alphabet.count)]
                }
            }
            let data = Data(bytes)
            if JSONSyntax.isValid(data) { accepted += 1 }
            let text = String(decoding: bytes, as: UTF8.self), compact = text.filter { $0 != " " }
            if JSONSyntax.isValid(data) != Self.foundationAccepts(data),
               !(compact.contains(",]") || compact.contains(",}")) {
                disagreements.append(text)
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect(accepted > 300 && accepted < 2_700, "\(accepted) of 3,000 mutations accepted: both kinds must be tried")
    }
}
