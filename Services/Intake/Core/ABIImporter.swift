import Foundation
import Models
import Postgres

/// Imports an ABI file (CSV or JSON, see `docs/intake-files.md`) into the intake schema, streaming:
/// rows are read one at a time and valid ones written with COPY every
/// ``IntakePolicy/importBatchSize`` rows, each batch in its own transaction, so memory stays bounded
/// whatever the file size. Re-importing a file is a no-op (atendimentos are unique by document +
/// competência; rejections by ABI, file name and row).
public struct ABIImporter: Sendable {
    /// What the import did.
    public struct Summary: Sendable, Equatable {
        public var abi: ABINumber
        /// The ABI was already known before this import.
        public var abiAlreadyReceived: Bool
        public var rowsRead = 0
        public var inserted = 0
        public var existing = 0
        public var rejected = 0
        /// Where the rejection report was written (nil when nothing was rejected).
        public var reportURL: URL?
    }

    public var batchSize = IntakePolicy.importBatchSize
    public var policy = RulesPolicy.standard

    public init() {}

    /// Imports `file` as ABI `abi` (or the ABI in the file's `abi` column), writing rejected rows to
    /// the table `rejected_rows` and to a CSV report (`linha,motivo`) at `reportURL`. `progress` is
    /// called with the rows read so far after each batch. Runs on `connection` (no open transaction).
    public func importFile(
        _ file: URL, abi requested: ABINumber?, reportURL: URL, on connection: PostgresConnection,
        progress: (Int) -> Void = { _ in }
    ) throws -> Summary {
        let table = try TabularFile(url: file)
        if table.format == .csv {
            var expected = AtendimentoColumn.required
            if requested == nil { expected.append(AtendimentoColumn.abi) }
            let missing = expected.filter { !table.columns.contains($0) }
            guard missing.isEmpty else {
                throw IntakeFileError("colunas ausentes no cabeçalho: \(missing.joined(separator: ", "))"
                    + (missing.contains(AtendimentoColumn.abi) ? " (ou informe --abi)" : ""))
            }
        }
        let known = try Set(connection.query("SELECT registro_ans FROM operadoras").map { try $0.decode(String.self, at: 0) })
        let validator = AtendimentoValidator(knownOperadoras: known, policy: policy)
        let source = file.lastPathComponent
        let report = RejectionReport(url: reportURL)
        var abi = requested
        var summary: Summary?
        var pending: [ValidAtendimento] = []
        var rejections: [RowRejection] = []
        var rowsRead = 0

        func flush() throws {
            guard let abi else {
                // Rows wait for the ABI number; a file that never gives it must not grow memory.
                if rejections.count >= batchSize {
                    throw IntakeFileError("nenhuma das primeiras \(rowsRead) linhas informa a ABI; use --abi ou a coluna abi")
                }
                return
            }
            guard !(pending.isEmpty && rejections.isEmpty) else { return }
            let batch = pending, rejected = rejections
            let outcome = try connection.withTransaction { connection in
                if summary == nil {
                    summary = Summary(abi: abi, abiAlreadyReceived: try AtendimentoStore.registerABI(abi, source: source, on: connection))
                }
                let outcome = try AtendimentoStore.write(batch, abi: abi, on: connection)
                try AtendimentoStore.reject(rejected + outcome.refused, abi: abi, source: source, on: connection)
                return outcome
            }
            for rejection in (rejected + outcome.refused).sorted(by: { $0.row < $1.row }) { try report.write(rejection) }
            summary?.inserted += outcome.inserted
            summary?.existing += outcome.existing
            summary?.rejected += rejected.count + outcome.refused.count
            pending.removeAll(keepingCapacity: true)
            rejections.removeAll(keepingCapacity: true)
            progress(rowsRead)
        }

        func validate(_ row: SourceRow) {
            switch validator.validate(row.fields, row: row.number) {
            case .success(let valid): pending.append(valid)
            case .failure(let rejection): rejections.append(rejection)
            }
        }

        while let row = try table.next() {
            rowsRead += 1
            if let problem = row.problem {
                rejections.append(RowRejection(row: row.number, reason: problem))
            } else if let rowABI = row.fields[AtendimentoColumn.abi].flatMap({ $0.isEmpty ? nil : $0 }) {
                switch (try? ABINumber(parsing: rowABI), abi) {
                case (nil, _):
                    rejections.append(RowRejection(row: row.number, reason: "abi: '\(rowABI)' não é um número de ABI válido"))
                case (let parsed?, nil):
                    abi = parsed
                    validate(row)
                case (let parsed?, let fixed?) where parsed != fixed:
                    rejections.append(RowRejection(row: row.number, reason: "abi: \(parsed) diferente da \(fixed) deste arquivo"))
                default:
                    validate(row)
                }
            } else if abi == nil {
                rejections.append(RowRejection(row: row.number, reason: "abi: não informada (informe --abi ou a coluna abi)"))
            } else {
                validate(row)
            }
            if pending.count >= batchSize || rejections.count >= batchSize { try flush() }
        }

        guard let abi else {
            throw IntakeFileError(rowsRead == 0 ? "o arquivo não tem registros" : "nenhuma linha informa a ABI; use --abi")
        }
        if summary == nil {
            summary = Summary(abi: abi, abiAlreadyReceived: try connection.withTransaction {
                try AtendimentoStore.registerABI(abi, source: source, on: $0)
            })
        }
        try flush()
        try report.close()
        summary?.rowsRead = rowsRead
        summary?.reportURL = report.written ? reportURL : nil
        return summary!
    }
}

/// The rejection report: a CSV `linha,motivo`, created on the first rejection.
final class RejectionReport {
    let url: URL
    private var handle: FileHandle?
    private(set) var written = false

    init(url: URL) { self.url = url }

    func write(_ rejection: RowRejection) throws {
        if handle == nil {
            try Data("linha,motivo\n".utf8).write(to: url)
            handle = try FileHandle(forWritingTo: url)
            try handle?.seekToEnd()
            written = true
        }
        let reason = "\"" + rejection.reason.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try handle?.write(contentsOf: Data("\(rejection.row),\(reason)\n".utf8))
    }

    func close() throws {
        try handle?.close()
        handle = nil
        // A report left by an earlier run of the same file would now be wrong; anything else stays.
        if !written, let handle = try? FileHandle(forReadingFrom: url) {
            let start = try handle.read(upToCount: 13) ?? Data()
            try handle.close()
            if start == Data("linha,motivo\n".utf8) { try FileManager.default.removeItem(at: url) }
        }
    }
}
