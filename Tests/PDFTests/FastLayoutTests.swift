import Foundation
@testable import PDF
import Testing

/// The layout measures text from its UTF-8 bytes with per-typeface width tables and writes content
/// streams in place; these tests hold that to the straightforward String-based measuring it replaced
/// (kept below as `ReferenceLayout`): same widths, same lines, same numbers.
@Suite struct FastLayoutTests {
    static let fonts: [PDFFont] = [.helvetica(9.5), .helveticaBold(8), .courier(8)]

    /// Every scalar the direct path decodes (below U+0300 and CP1252's typographic punctuation).
    static var directScalars: [Unicode.Scalar] {
        (0..<0x300).compactMap(Unicode.Scalar.init) + WinAnsi.upperControlRange.keys.compactMap(Unicode.Scalar.init)
    }

    /// Width through WinAnsi's own mapping, one scalar at a time: `byte(for:)` then the AFM width.
    static func encodedWidth(_ scalar: Unicode.Scalar, _ font: PDFFont) -> Double {
        Double(WinAnsi.byte(for: scalar).map(font.typeface.width(of:)) ?? 0) * font.size / 1000
    }

    @Test func widthTablesMeasureEveryWinAnsiCharacterAsItsEncodedByte() {
        for font in Self.fonts {
            for scalar in Self.directScalars {
                #expect(font.width(of: String(scalar)) == Self.encodedWidth(scalar, font), "U+\(String(scalar.value, radix: 16)) in \(font)")
                #expect(font.width(of: String(scalar)) == ReferenceLayout.width(String(scalar), font))
            }
        }
    }

    @Test func directEncodingMatchesTheNormalizingEncoder() {
        for scalar in Self.directScalars where scalar.value != 0x0D {
            let text = "a" + String(scalar) + "b"
            #expect(WinAnsi.encode(text) == ReferenceLayout.encode(text), "U+\(String(scalar.value, radix: 16))")
        }
        for text in ["c\u{0327}a\u{0303}o", "Ω≤😀 x", "a\r\nb", "\u{212B}ngström", "fim…"] {
            #expect(WinAnsi.encode(text) == ReferenceLayout.encode(text), "\(text)")
        }
    }

    /// Random texts over an alphabet with spaces, tabs, newlines, accents, dashes, a no-break space,
    /// a decomposed ç, CR LF, characters outside CP1252 and long words.
    static func randomTexts(count: Int) -> [String] {
        let alphabet: [String] = ["a", "b", "W", "i", "1", "ç", "Ã", "é", " ", " ", " ", "  ", "\t", "\n", "—", "–", "…", "€",
                                  "\u{A0}", "c\u{0327}", "\r\n", "Ω", "😀", "(", ")", "\\", "R$", "Memória", "abcdefghijklmnopqrstuvwxyz"]
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
        }
    }

    @Test func wrapAndTruncateGiveTheReferenceLines() {
        for text in Self.randomTexts(count: 400) {
            for font in Self.fonts {
                for maxWidth in [1.0, 12, 30, 55.5, 120, 400] {
                    #expect(TextLayout.wrap(text, font: font, maxWidth: maxWidth) == ReferenceLayout.wrap(text, font: font, maxWidth: maxWidth),
                            "wrap \(text.debugDescription) \(font) \(maxWidth)")
                    #expect(TextLayout.truncate(text, font: font, maxWidth: maxWidth)
                                == ReferenceLayout.truncate(text, font: font, maxWidth: maxWidth),
                            "truncate \(text.debugDescription) \(font) \(maxWidth)")
                }
                #expect(font.width(of: text) == ReferenceLayout.width(text, font), "width \(text.debugDescription)")
            }
        }
    }

    @Test func numbersAreWrittenAsBefore() {
        var values: [Double] = [0, -0.001, 0.004, 0.005, 0.05, 0.1, 0.15, 1, -1, 12, 595.28, 841.89, -3.5, 1e6 + 0.07]
        for _ in 0..<2_000 { values.append(Double.random(in: -2_000...2_000)) }
        for value in values { #expect(PDFSyntax.number(value) == ReferenceLayout.number(value), "\(value)") }
    }

    @Test func literalsEscapeLikeBefore() {
        let bytes: [UInt8] = Array(0...255)
        #expect(WinAnsi.literal(bytes) == ReferenceLayout.literal(bytes))
        #expect(WinAnsi.literal(Array("plain text".utf8)) == Array("(plain text)".utf8))
    }
}

/// zlib streams from the system library, read back by Python's zlib (an independent decoder).
@Suite struct FlateTests {
    static func pythonInflate(_ data: [UInt8]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in"), output = directory.appendingPathComponent("out")
        try Data(data).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import sys, zlib; open(sys.argv[2], 'wb').write(zlib.decompress(open(sys.argv[1], 'rb').read()))",
                             input.path, output.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return Array(try Data(contentsOf: output))
    }

    @Test func streamsRoundTripThroughAnIndependentInflater() throws {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let content = Array(String(repeating: "BT /F1 8 Tf 0.1 0.1 0.1 rg 46 700.5 Td (GRU 123) Tj ET\n", count: 2_000).utf8)
        for data in [[], [0x41], random, content] {
            let compressed = Flate.zlib(data)
            #expect(try Self.pythonInflate(compressed) == data)
            #expect(compressed.first == 0x78, "zlib header")
        }
        #expect(Flate.zlib(content).count * 20 < content.count, "repetitive content streams shrink")
    }

    @Test func renderedPagesInflateToThePlainStreams() throws {
        let doc = SampleReport.build(gruCount: 40)
        let plain = doc.render(compressingStreams: false), compressed = doc.render()
        let plainStreams = Self.streams(plain), compressedStreams = Self.streams(compressed)
        #expect(plainStreams.count == compressedStreams.count && !plainStreams.isEmpty)
        for (raw, deflated) in zip(plainStreams, compressedStreams) { #expect(try Self.pythonInflate(deflated) == raw) }
    }

    /// The bytes of every `stream … endstream` in a file.
    static func streams(_ file: [UInt8]) -> [[UInt8]] {
        let start = Array("stream\n".utf8), end = Array("\nendstream".utf8)
        var result: [[UInt8]] = [], index = 0
        while let open = find(start, in: file, from: index), let close = find(end, in: file, from: open + start.count) {
            result.append(Array(file[(open + start.count)..<close]))
            index = close + end.count
        }
        return result
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        return (start...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

/// The String-based measuring, wrapping and number formatting the layout used before it measured
/// UTF-8 bytes (kept as the reference the faster code must agree with).
enum ReferenceLayout {
    static func encode(_ text: String) -> [UInt8] {
        let normalized = text.utf8.allSatisfy({ $0 < 0xCC }) ? text : text.precomposedStringWithCanonicalMapping
        return normalized.unicodeScalars.compactMap(WinAnsi.byte(for:))
    }

    static func width(_ text: String, _ font: PDFFont) -> Double {
        Double(encode(text).reduce(0) { $0 + font.typeface.width(of: $1) }) * font.size / 1000
    }

    static func wrap(_ text: String, font: PDFFont, maxWidth: Double) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrapLine(Substring($0), font: font, maxWidth: maxWidth) }
    }

    static func truncate(_ text: String, font: PDFFont, maxWidth: Double) -> String {
        if width(text, font) <= maxWidth { return text }
        let room = maxWidth - width("…", font)
        guard room >= 0 else { return "" }
        var kept = "", used = 0.0
        for character in text {
            let characterWidth = width(String(character), font)
            if used + characterWidth > room { break }
            kept.append(character)
            used += characterWidth
        }
        while kept.last == " " { kept.removeLast() }
        return kept + "…"
    }

    private static func wrapLine(_ line: Substring, font: PDFFont, maxWidth: Double) -> [String] {
        var lines: [String] = [], current = "", currentWidth = 0.0, pendingSpaces = "", atLineStart = true
        for token in tokens(line) {
            let tokenWidth = width(token, font)
            if token.first == " " {
                if atLineStart && lines.isEmpty { current += token; currentWidth += tokenWidth } else { pendingSpaces = token }
                continue
            }
            let spacesWidth = width(pendingSpaces, font)
            if currentWidth + spacesWidth + tokenWidth <= maxWidth {
                current += pendingSpaces + token
                currentWidth += spacesWidth + tokenWidth
            } else {
                if !atLineStart { lines.append(current) }
                current = ""
                currentWidth = 0
                for piece in split(token, font: font, maxWidth: maxWidth) {
                    if !current.isEmpty { lines.append(current) }
                    current = piece
                    currentWidth = width(piece, font)
                }
            }
            pendingSpaces = ""
            atLineStart = false
        }
        lines.append(current)
        return lines
    }

    private static func tokens(_ line: Substring) -> [String] {
        var tokens: [String] = [], current = ""
        for character in line {
            if let last = current.last, (last == " ") != (character == " ") {
                tokens.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    private static func split(_ word: String, font: PDFFont, maxWidth: Double) -> [String] {
        var pieces: [String] = [], current = "", used = 0.0
        for character in word {
            let characterWidth = width(String(character), font)
            if !current.isEmpty && used + characterWidth > maxWidth {
                pieces.append(current)
                current = ""
                used = 0
            }
            current.append(character)
            used += characterWidth
        }
        pieces.append(current)
        return pieces
    }

    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func literal(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x28]
        for byte in bytes {
            switch byte {
            case 0x28, 0x29, 0x5C: out += [0x5C, byte]
            case 0x20...0x7E: out.append(byte)
            default: out += [0x5C, 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            }
        }
        out.append(0x29)
        return out
    }
}
