import Foundation
import PDF
import Testing

/// The sample "Posição Financeira Atualizada" read back with poppler, as a person's reader shows it.
@Suite struct RenderedReportTests {
    @Test func pdfinfoSeesA4PagesTitleAndDates() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let path = try poppler.write(SampleReport.build().render())
        let info = try poppler.info(path)
        #expect(info["Title"] == "Posição Financeira Atualizada")
        #expect(info["Author"] == "ANS — Ressarcimento ao SUS")
        #expect(info["Producer"] == "ressus PDF")
        #expect(info["Creator"] == "ressus report-publisher")
        #expect(info["CreationDate"]?.hasPrefix("2026-11-23T14:30:05-03") == true, "\(info["CreationDate"] ?? "none")")
        #expect(info["Page size"]?.hasPrefix("595.28 x 841.89 pts") == true, "page size: \(info["Page size"] ?? "none")")
        let pages = try #require(Int(info["Pages"] ?? ""))
        #expect(pages >= 4, "150 GRUs should need several pages, got \(pages)")
    }

    @Test func portugueseTextComesBackExactly() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = SampleReport.build()
        let pages = try poppler.textPages(try poppler.write(doc.render()))
        let text = pages.joined()
        for expected in [
            "Posição Financeira Atualizada", "Situação", "Ressarcimento ao SUS", "R$ 1.234,56", "ção",
            "Data de referência: 23/11/2026", "Lei nº 9.656/1998", "§ 5º", "“provisórios”",
            "Inscrita em dívida ativa", "Procuradoria Federal junto à ANS", "Memória de cálculo",
            "Saúde Exemplo Assistência Médica Ltda.", "parcelamentosus@ans.gov.br", "§§ 1º a 3º",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
        #expect(pages.count == doc.pageCount)
        for (index, page) in pages.enumerated() {
            #expect(page.contains("Página \(index + 1) de \(pages.count)"), "footer of page \(index + 1)")
            #expect(page.contains("Posição Financeira Atualizada"), "header of page \(index + 1)")
        }
    }

    @Test func pageCountIsKnownOnEveryFooter() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        var doc = SerializerTests.smallDocument()
        doc.pageBreak()
        doc.paragraph("Terceira página, Situação.")
        let pages = try poppler.textPages(try poppler.write(doc.render()))
        #expect(pages.count == 3)
        for page in 1...3 {
            #expect(pages[page - 1].contains("Página \(page) de 3"), "page \(page): \(pages[safe: page - 1] ?? "")")
        }
    }

    @Test func compressedStreamsReadTheSameAsPlainOnes() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = SampleReport.build()
        let compressed = doc.render(), plain = doc.render(compressingStreams: false)
        #expect(compressed.count * 3 < plain.count, "Flate should shrink the report: \(compressed.count) vs \(plain.count) bytes")
        #expect(String(decoding: compressed, as: UTF8.self).contains("/Filter /FlateDecode"))
        let compressedText = try poppler.run("pdftotext", ["-layout", try poppler.write(compressed, as: "c.pdf"), "-"])
        let plainText = try poppler.run("pdftotext", ["-layout", try poppler.write(plain, as: "p.pdf"), "-"])
        #expect(compressedText.stderr.isEmpty, "pdftotext stderr: \(compressedText.stderr)")
        #expect(compressedText.stdout == plainText.stdout)
        #expect(compressedText.stdout.contains("Posição Financeira Atualizada"))
    }

    @Test func charactersOutsideWinAnsiShowAsQuestionMarks() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        var doc = SerializerTests.smallDocument()
        doc.paragraph("Ω marca: ação")
        let text = try poppler.textPages(try poppler.write(doc.render())).joined()
        #expect(text.contains("? marca: ação"))
    }

    @Test func gruTableRepeatsItsHeaderOnEveryPageAndListsEachGRUOnce() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let grus = SampleReport.grus(count: 150)
        let pages = try poppler.textPages(try poppler.write(SampleReport.build().render()))
        let numbers = Set(grus.map(\.number))
        let tablePages = pages.filter { page in
            page.split(separator: "\n").contains { line in
                line.split(separator: " ").first.map { numbers.contains(String($0)) } ?? false
            }
        }
        #expect(tablePages.count >= 3, "the GRU table should span several pages")
        for page in tablePages {
            for title in ["GRU", "ABI", "Vencimento", "Situação", "Multa", "Juros"] {
                #expect(page.contains(title), "header \(title) missing on a table page")
            }
        }
        let text = pages.joined()
        let grandTotal = SampleReport.brl(grus.reduce(0) { $0 + $1.principal })
        let totalLine = text.split(separator: "\n").first { $0.contains("Total geral") }
        #expect(totalLine?.contains(grandTotal) == true, "the bold total \(grandTotal) should fit on its row: \(totalLine ?? "")")
        let withMemo = Set(grus.filter(\.open).prefix(3).map(\.number))
        for gru in grus {
            let expected = withMemo.contains(gru.number) ? 2 : 1  // the table row, plus the memo's heading
            #expect(text.components(separatedBy: gru.number).count - 1 == expected, "GRU \(gru.number)")
        }
    }

    @Test func moneyColumnsAreRightAlignedToTheColumnEdge() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = SampleReport.build()
        let words = try poppler.words(try poppler.write(doc.render()))
        let widths = SampleReport.table([]).columnWidths(available: doc.contentWidth)
        var edges = [doc.margins.left]
        for width in widths { edges.append(edges[edges.count - 1] + width) }
        let padding = doc.style.table.horizontalPadding
        // Only the GRU table's rows: the words on the same line as a GRU number.
        let grus = SampleReport.grus(count: 150)
        let numbers = Set(grus.map(\.number))
        let rowLines = Set(words.filter { numbers.contains($0.text) && abs($0.xMin - edges[0] - padding) < 0.5 }.map { RowLine($0) })
        #expect(rowLines.count == grus.count)
        let cells = words.filter { rowLines.contains(RowLine($0)) }
        let amount = try NSRegularExpression(pattern: #"^[0-9.]+,[0-9]{2}$"#)
        let openCount = grus.filter(\.open).count
        for (column, expected) in [(3, grus.count), (5, openCount), (6, openCount), (7, grus.count)] {
            let right = edges[column + 1] - padding
            let amounts = cells.filter { word in
                word.xMin >= edges[column] && word.xMin < edges[column + 1]
                    && amount.firstMatch(in: word.text, range: NSRange(location: 0, length: word.text.utf16.count)) != nil
            }
            #expect(amounts.count == expected, "column \(column): \(amounts.count) amounts found")
            for word in amounts {
                #expect(abs(word.xMax - right) < 0.5, "\(word.text) ends at \(word.xMax), column edge \(right)")
            }
        }
        let abiCenter = (edges[1] + edges[2]) / 2
        let abis = cells.filter { $0.xMin >= edges[1] && $0.xMax <= edges[2] }
        #expect(abis.count == grus.count)
        for word in abis { #expect(abs((word.xMin + word.xMax) / 2 - abiCenter) < 0.5, "ABI \(word.text) not centred") }
    }

    /// A text line of one page, identified by its rounded top.
    struct RowLine: Hashable {
        var page: Int, top: Int
        init(_ word: Poppler.Word) { (page, top) = (word.page, Int(word.yMin.rounded())) }
    }

    @Test func pdftoppmRendersEveryPageWithoutComplaints() throws {
        let poppler = try Poppler()
        defer { poppler.cleanUp() }
        let doc = SampleReport.build()
        let bytes = doc.render()
        let path = try poppler.write(bytes)
        let prefix = poppler.directory.appendingPathComponent("page").path
        let output = try poppler.run("pdftoppm", ["-png", "-r", "50", path, prefix])
        #expect(output.stderr.isEmpty, "pdftoppm stderr: \(output.stderr)")
        let pngs = try FileManager.default.contentsOfDirectory(atPath: poppler.directory.path).filter { $0.hasSuffix(".png") }
        #expect(pngs.count == doc.pageCount)
        for png in pngs {
            let data = try Data(contentsOf: poppler.directory.appendingPathComponent(png))
            #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(png) is not a PNG")
            #expect(data.count > 2_000, "\(png) looks empty")
        }

        // To look at the sample: RESSUS_PDF_SAMPLE_DIR=/some/dir swift test --filter PDFTests
        if let keep = ProcessInfo.processInfo.environment["RESSUS_PDF_SAMPLE_DIR"] {
            let folder = URL(fileURLWithPath: keep)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let sample = folder.appendingPathComponent("posicao-financeira.pdf")
            try Data(bytes).write(to: sample)
            _ = try poppler.run("pdftoppm", ["-png", "-r", "110", sample.path, folder.appendingPathComponent("posicao-financeira").path])
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
