import Foundation
@testable import ReportPublisherCore
import Runtime
import Testing

/// The per-request text helpers against straightforward reference implementations.
@Suite("Portal text helpers")
struct PortalTextTests {
    /// The escape as first written: per Character.
    static func referenceEscape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    @Test("HTML.escape equals the per-character escape on random texts with accents, markup and emoji")
    func escapeMatchesReference() {
        let pieces = ["a", "Z", "9", " ", "&", "<", ">", "\"", "'", "ç", "ã", "É", "e\u{301}", "–", "€", "🙂", "\n", "&amp;", "R$ 1.234,56"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...24, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(HTML.escape(text) == Self.referenceEscape(text), "\(text)")
        }
        #expect(HTML.escape("<a href=\"x\">O'Neil & Cia</a>") == "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; Cia&lt;/a&gt;")
        #expect(HTML.escape("Saúde sem marcação") == "Saúde sem marcação")
    }

    @Test("hex writes two lowercase digits per byte")
    func hexDigits() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(hex([UInt8]()) == "")
    }
}
