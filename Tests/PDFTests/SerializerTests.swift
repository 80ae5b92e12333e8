import Foundation
import PDF
import Testing

/// Checks the file structure by parsing the bytes directly, as a reader's xref lookup would.
@Suite struct SerializerTests {
    static func smallDocument(title: String = "Relatório de teste") -> PDFDocumentBuilder {
        var doc = PDFDocumentBuilder(info: PDFInfo(
            title: title, author: "ANS", creationDate: PDFDate(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5)))
        doc.pageFooter { "Página \($0) de \($1)" }
        doc.heading("Seção")
        doc.paragraph("Texto com (parênteses) e barra \\ invertida.")
        doc.link("ressarcimento@ans.gov.br", url: "mailto:ressarcimento@ans.gov.br")
        doc.pageBreak()
        doc.paragraph("Segunda página.")
        return doc
    }

    @Test func everyXrefEntryPointsAtItsObject() throws {
        let bytes = Self.smallDocument().render()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4\n"))
        #expect(text.hasSuffix("%%EOF\n"))

        let startxref = try #require(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        let xref = Array(bytes[xrefOffset...])
        let head = String(decoding: xref.prefix(64), as: UTF8.self).split(separator: "\n")
        #expect(head[0] == "xref")
        let subsection = head[1].split(separator: " ")
        #expect(subsection[0] == "0")
        let size = try #require(Int(subsection[1]))
        #expect(text.contains("/Size \(size) "))

        let entriesStart = "xref\n0 \(size)\n".utf8.count
        let entries = Array(xref[entriesStart..<(entriesStart + 20 * size)])
        #expect(String(decoding: entries[0..<20], as: UTF8.self) == "0000000000 65535 f \n")
        for number in 1..<size {
            let entry = String(decoding: entries[(20 * number)..<(20 * number + 20)], as: UTF8.self)
            #expect(entry.hasSuffix(" 00000 n \n"), "entry \(number): \(entry)")
            let offset = try #require(Int(entry.prefix(10)))
            let header = "\(number) 0 obj\n"
            #expect(Array(bytes[offset..<(offset + header.utf8.count)]) == Array(header.utf8),
                    "object \(number) is not at offset \(offset)")
        }
        let objectHeaders = text.components(separatedBy: " 0 obj\n").count - 1
        #expect(objectHeaders == size - 1)
    }

    @Test func streamLengthsMatchTheirData() throws {
        let bytes = Self.smallDocument().render()
        var checked = 0
        var position = 0
        while let length = Self.find("<< /Length ", in: bytes, from: position) {
            let digits = bytes[(length + 11)...].prefix { (0x30...0x39).contains($0) }
            let value = try #require(Int(String(decoding: digits, as: UTF8.self)))
            let marker = try #require(Self.find(">>\nstream\n", in: bytes, from: length))
            let dataStart = marker + 10
            #expect(String(decoding: bytes[(dataStart + value)..<(dataStart + value + 10)], as: UTF8.self) == "\nendstream")
            checked += 1
            position = dataStart
        }
        #expect(checked == 2)
    }

    /// Offset of the first occurrence of `needle` at or after `start`.
    static func find(_ needle: String, in bytes: [UInt8], from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        for offset in start...(bytes.count - pattern.count) where bytes[offset..<(offset + pattern.count)].elementsEqual(pattern) {
            return offset
        }
        return nil
    }

    @Test func literalStringsEscapeParenthesesAndBackslashes() {
        let text = String(decoding: Self.smallDocument().render(compressingStreams: false), as: UTF8.self)
        #expect(text.contains(#"(Texto com \(par\352nteses\) e barra \\ invertida.) Tj"#))
    }

    @Test func infoAndAnnotationsAreWritten() {
        let text = String(decoding: Self.smallDocument().render(), as: UTF8.self)
        #expect(text.contains("/CreationDate (D:20260102030405Z)"))
        #expect(text.contains("/Lang (pt-BR)"))
        #expect(text.contains("/Title <FEFF00520065006C0061007400F300720069006F"))
        #expect(text.contains("/Subtype /Link"))
        #expect(text.contains("/URI (mailto:ressarcimento@ans.gov.br)"))
        #expect(text.contains("/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding"))
    }

    @Test func renderingIsDeterministic() {
        #expect(Self.smallDocument().render() == Self.smallDocument().render())
    }

    @Test func pdfDatesCarryTheirUTCOffset() {
        #expect(PDFDate(year: 2026, month: 11, day: 23, hour: 14, minute: 30, utcOffsetMinutes: -180).pdfString
                == "D:20261123143000-03'00'")
        let instant = Date(timeIntervalSince1970: 1_795_433_400)  // 2026-11-23T11:30:00Z
        #expect(PDFDate(instant, utcOffsetMinutes: -180).pdfString == "D:20261123083000-03'00'")
        #expect(PDFDate(instant).pdfString == "D:20261123113000Z")
    }
}
