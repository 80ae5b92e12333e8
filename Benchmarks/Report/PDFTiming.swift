import BenchmarkSupport
import Foundation
import Models
import Postgres
import ReportPublisherCore

/// Times the Posição Financeira Atualizada of one operadora as the portal's POST makes it (its
/// GRUs as of the reference date and the SELIC table from the read model, the report's late
/// charges, the PDF layout), and checks the last PDF with pdfinfo and pdftotext.
struct PDFTiming {
    let pool: PostgresPool
    let root: String
    let referenceDate: CivilDate
    let directory: URL

    struct Result {
        var runs = 0, grus = 0, pages = 0, bytes = 0
        /// Milliseconds: whole request work, its query part and its report + layout part (medians), worst whole.
        var median = 0.0, medianQuery = 0.0, medianRender = 0.0, max = 0.0
        /// "Total em aberto atualizado" as the PDF's text shows it.
        var total = ""
    }

    func run(repetitions: Int) async throws -> Result {
        let root = self.root, date = referenceDate
        guard let operadora = try await pool.withConnection({ try ReadModelQueries.operadoras(cnpjRoot: root, on: $0).first }) else {
            throw BenchmarkFailure("no operadora with CNPJ root \(root) in the read model")
        }
        var whole: [Double] = [], queries: [Double] = [], renders: [Double] = []
        var pdf: [UInt8] = [], report: PositionReport?
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            let (positions, selic) = try await pool.withConnection { c in
                (try ReadModelQueries.positions(of: operadora.registroANS, asOf: date, on: c), try ReadModelQueries.selicTable(on: c))
            }
            let queried = ContinuousClock.now
            report = PositionReport(operadora: operadora, referenceDate: date, generatedAt: Date(), selic: selic, positions: positions)
            pdf = PositionReportPDF.render(report!)
            let end = ContinuousClock.now
            whole.append((end - start).seconds * 1000)
            queries.append((queried - start).seconds * 1000)
            renders.append((end - queried).seconds * 1000)
        }
        guard let report else { throw BenchmarkFailure("no repetitions") }
        let file = directory.appendingPathComponent("posicao.pdf")
        try Data(pdf).write(to: file)
        let info = try await Self.tool("/usr/bin/pdfinfo", [file.path], directory)
        let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
            .flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let text = try await Self.tool("/usr/bin/pdftotext", ["-layout", file.path, "-"], directory)
        let total = report.totalUpdated.formatted
        guard pages > 0, text.contains(total), text.contains(report.lines[0].position.number) else {
            throw BenchmarkFailure("the PDF is not valid: \(pages) pages, total \(total) or first GRU not in its text")
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        return Result(runs: repetitions, grus: report.lines.count, pages: pages, bytes: pdf.count, median: median(whole),
                      medianQuery: median(queries), medianRender: median(renders), max: whole.max() ?? 0, total: total)
    }

    /// A tool's standard output.
    static func tool(_ path: String, _ arguments: [String], _ directory: URL) async throws -> String {
        let output = directory.appendingPathComponent("tool-output.txt")
        defer { try? FileManager.default.removeItem(at: output) }
        guard try await runProcess(path, arguments, output: output) == 0 else { throw BenchmarkFailure("\(path) failed") }
        return try String(contentsOf: output, encoding: .utf8)
    }
}
