import Foundation
import PDF
import Testing

/// A table-only document: every word on the page body is a cell, so each word's box can be checked
/// against its column.
@Suite struct TableLayoutTests {
    static let columns: [PDFTable.Column] = [
        .init("Nº", width: .fixed(30), alignment: .right),
        .init("Descrição do atendimento", width: .flexible(2)),
        .init("Observação", width: .flexible(1), overflow: .truncate),
        .init("Valor", width: .fixed(70), alignment: .right),
    ]

    static let phrases = [
        "Internação hospitalar de urgência com procedimento cirúrgico",
        "Consulta",
        "Tratamento oncológico ambulatorial (APAC) com quimioterapia de alta complexidade realizada em hospital credenciado",
        "Hemodiálise",
    ]

    static func rows(_ count: Int) -> [[String]] {
        (1...count).map { index in
            [String(index), phrases[index % phrases.count],
             index % 3 == 0 ? "Impugnação indeferida em segunda instância administrativa pela Diretoria Colegiada" : "Sem observações",
             SampleReport.brl(index * 104_729)]
        }
    }

    static func document(rows count: Int = 150) -> PDFDocumentBuilder {
        var doc = PDFDocumentBuilder(info: PDFInfo(
            title: "Atendimentos", author: "ANS", creationDate: PDFDate(year: 2026, month: 11, day: 23)))
        doc.table(PDFTable(columns: columns, cells: rows(count), totals: [["", "Total", "", SampleReport.brl(999_999_99)]]))
        return doc
    }

    static func edges(_ doc: PDFDocumentBuilder) -> [Double] {
        var edges = [doc.margins.left]
        for width in PDFTable(columns: columns, cells: []).columnWidths(available: doc.contentWidth) {
            edges.append(edges[edges.count - 1] + width)
        }
        return edges
    }

    @Test func columnWidthsShareWhatFixedColumnsLeave() {
        let widths = PDFTable(columns: Self.columns, cells: []).columnWidths(available: 400)
        #expect(widths == [30, 200, 100, 70])
    }

    @Test func noCellTextLeavesItsColumn() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = Self.document()
        let words = try poppler.words(try poppler.write(doc.render()))
        let edges = Self.edges(doc)
        let padding = doc.style.table.horizontalPadding
        #expect(words.count > 1_000)
        for word in words {
            let column = try #require(edges.lastIndex { $0 <= word.xMin + 0.01 }, "\(word.text) left of the table")
            #expect(column < 4, "\(word.text) starts right of the table at \(word.xMin)")
            guard column < 4 else { continue }
            #expect(word.xMin >= edges[column] + padding - 0.5, "\(word.text) starts at \(word.xMin) in column \(column)")
            #expect(word.xMax <= edges[column + 1] - padding + 0.5, "\(word.text) ends at \(word.xMax), past column \(column)")
        }
    }

    @Test func longTextWrapsInWrapColumnsAndIsCutInTruncateColumns() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = Self.document(rows: 12)
        let text = try poppler.textPages(try poppler.write(doc.render())).joined()
        let words = try poppler.words(try poppler.write(doc.render(), as: "again.pdf"))
        // The long description wraps onto several lines, with every word kept.
        let edges = Self.edges(doc)
        let descriptionWords = words.filter { $0.xMin >= edges[1] && $0.xMin < edges[2] }
        let lineTops = Set(descriptionWords.filter { $0.text == "quimioterapia" || $0.text == "credenciado" }.map(\.yMin))
        #expect(lineTops.count >= 2, "the long description should wrap")
        for word in Self.phrases[2].split(separator: " ") {
            #expect(descriptionWords.contains { $0.text == word }, "wrapped text lost \(word)")
        }
        // The long observation is cut with an ellipsis, on one line.
        #expect(text.contains("Impugnação"))
        #expect(text.contains("…"))
        #expect(!text.contains("Diretoria Colegiada"))
        #expect(text.contains("Sem observações"))
    }

    @Test func headerRowIsRepeatedOnEveryPage() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = Self.document()
        let pages = try poppler.textPages(try poppler.write(doc.render()))
        #expect(pages.count >= 3)
        #expect(pages.count == doc.pageCount)
        for (index, page) in pages.enumerated() {
            #expect(page.contains("Observação") && page.contains("Valor"), "no header on page \(index + 1)")
        }
        let numbers = pages.joined().split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        for row in [1, 75, 150] { #expect(numbers.contains(row), "row \(row) missing") }
        #expect(pages.last?.contains("Total") == true)
    }

    @Test func groupTitlesAreRepeatedWhenAGroupContinuesOnANewPage() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        var doc = PDFDocumentBuilder(info: PDFInfo(title: "t", author: "a", creationDate: PDFDate(year: 2026, month: 1, day: 1)))
        let rows: [PDFTable.Row] = [.group("Emitidas")] + (1...70).map { .cells(["GRU \($0)", "R$ 1,00"]) }
            + [.group("Pagas")] + (71...140).map { .cells(["GRU \($0)", "R$ 2,00"]) }
        doc.table(PDFTable(columns: [.init("GRU"), .init("Valor", alignment: .right)], rows: rows))
        let pages = try poppler.textPages(try poppler.write(doc.render()))
        #expect(pages.count >= 3)
        for (index, page) in pages.enumerated() {
            let lines = page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(lines.first?.hasPrefix("GRU") == true && lines.first?.hasSuffix("Valor") == true, "header on page \(index + 1)")
            let firstRow = try #require(lines.dropFirst().first { $0.hasPrefix("GRU ") })
            let number = try #require(Int(firstRow.dropFirst(4).prefix { $0.isNumber }))
            let group = number <= 70 ? "Emitidas" : "Pagas"
            let starts = index == 0 || number == 71 ? group : "\(group) (continuação)"
            #expect(lines[safe: 1] == starts, "page \(index + 1) starts with \(lines[safe: 1] ?? "nothing")")
        }
    }

    @Test func rowsTallerThanAPageAreCutToFit() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        var doc = PDFDocumentBuilder(info: PDFInfo(title: "t", author: "a", creationDate: PDFDate(year: 2026, month: 1, day: 1)))
        let huge = Array(repeating: "linha", count: 400).joined(separator: "\n")
        doc.table(PDFTable(columns: [.init("Texto")], cells: [[huge], ["depois"]]))
        let pages = try poppler.textPages(try poppler.write(doc.render()))
        #expect(pages.count == 2)
        #expect(pages[0].contains("linha…"))
        #expect(pages[1].contains("Texto") && pages[1].contains("depois"))
    }
}
