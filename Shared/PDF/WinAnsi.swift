import Foundation

/// Text in the standard fonts is written with WinAnsiEncoding (Windows code page 1252, PDF 1.4
/// Appendix D), which covers every Portuguese letter (á à â ã é ê í ó ô õ ú ç and capitals), º ª § €,
/// the typographic quotes “ ” ‘ ’, – — and …
///
/// Characters outside CP1252 are written as `?` (the fonts have no glyph for them). Tabs become a
/// space; other control characters are dropped. Input is normalized to NFC first, so a decomposed
/// "c + combining cedilla" still becomes ç.
public enum WinAnsi {
    /// The byte written for characters CP1252 cannot represent.
    public static let replacement: UInt8 = 0x3F  // "?"

    /// Encodes `text` as WinAnsi bytes, one byte per character.
    public static func encode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        encode(text, into: &bytes)
        return bytes
    }

    /// Appends `text`'s WinAnsi bytes to `bytes`.
    static func encode(_ text: String, into bytes: inout [UInt8]) {
        let start = bytes.count
        var text = text
        let direct = text.withUTF8 { utf8 -> Bool in
            // Characters that need no normalization (see `layoutCode`) map straight from UTF-8.
            let low = lowLayoutCodes
            var index = 0
            while index < utf8.count {
                let (scalar, length) = decodeScalar(utf8, at: index)
                guard let code = layoutCode(scalar, low: low) else { return false }
                switch code {
                case 0, 0x0A: break
                case 0x09: bytes.append(0x20)
                default: bytes.append(code)
                }
                index += length
            }
            return true
        }
        if direct { return }
        bytes.removeSubrange(start...)
        for scalar in normalized(text).unicodeScalars {
            if let byte = byte(for: scalar) { bytes.append(byte) }
        }
    }

    /// `text` in NFC. Text with no scalar from U+0300 on (no UTF-8 lead byte from 0xCC on) is
    /// already NFC: below U+0300 there are no combining marks, no singleton decompositions and no
    /// second characters of a composition (Unicode UAX #15), so such text, nearly all of a report,
    /// skips Foundation's normalization, which cost a third of a large report's layout.
    static func normalized(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 < 0xCC }) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// The WinAnsi byte for one scalar; `replacement` if it has none, nil for dropped controls.
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        switch value {
        case 0x09: return 0x20
        case 0x20...0x7E, 0xA0...0xFF: return UInt8(value)
        case 0x00..<0x20, 0x7F...0x9F: return nil
        default: return upperControlRange[value] ?? replacement
        }
    }

    /// CP1252's 0x80–0x9F block: the characters Latin-1 leaves to C1 controls.
    static let upperControlRange: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86,
        0x2021: 0x87, 0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C,
        0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95,
        0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// A PDF literal string `( … )` holding `bytes`: `(`, `)` and `\` are escaped, and bytes outside
    /// printable ASCII are written as octal escapes so content streams stay plain ASCII.
    static func literal(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x28]
        out += bytes
        escapeLiteral(&out, from: 1)
        out.append(0x29)
        return out
    }

    /// Appends `text` encoded and escaped for a literal string's body (without the parentheses).
    static func appendLiteralBody(_ text: String, to bytes: inout [UInt8]) {
        // Printable ASCII without ( ) \ is its own WinAnsi encoding and needs no escapes.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E && $0 != 0x28 && $0 != 0x29 && $0 != 0x5C }) {
            bytes.append(contentsOf: text.utf8)
            return
        }
        let start = bytes.count
        encode(text, into: &bytes)
        escapeLiteral(&bytes, from: start)
    }

    /// Escapes `bytes[start...]` in place for a literal string's body (see `literal`).
    static func escapeLiteral(_ bytes: inout [UInt8], from start: Int) {
        guard let first = bytes[start...].firstIndex(where: needsEscape) else { return }
        let tail = Array(bytes[first...])
        bytes.removeSubrange(first...)
        for byte in tail {
            switch byte {
            case 0x28, 0x29, 0x5C:
                bytes.append(0x5C)
                bytes.append(byte)
            case 0x20...0x7E:
                bytes.append(byte)
            default:
                bytes.append(0x5C)
                bytes.append(0x30 + (byte >> 6))
                bytes.append(0x30 + ((byte >> 3) & 7))
                bytes.append(0x30 + (byte & 7))
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte > 0x7E || byte == 0x28 || byte == 0x29 || byte == 0x5C
    }
}
