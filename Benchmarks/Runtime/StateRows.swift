import BenchmarkSupport
import Foundation
import Postgres

/// The writers' own state: one row per writer transaction (next to its 500 outbox events), and the
/// shape of the rows `psql \copy` loads for the ceiling.
struct StateRow {
    static let createTable = """
        CREATE TABLE state (
            id              bigint PRIMARY KEY,
            operadora       text NOT NULL,
            amount_centavos bigint NOT NULL,
            events          integer NOT NULL,
            updated_at      timestamptz NOT NULL
        )
        """
    static let insert = PostgresStatement(
        "INSERT INTO state (id, operadora, amount_centavos, events, updated_at) VALUES ($1, $2, $3, $4, $5)")

    let id: Int
    let operadora: String
    let amountCentavos: Int64
    let events: Int

    init(_ id: Int, operadora: String, events: Int) {
        self.id = id
        self.operadora = operadora
        amountCentavos = Int64(id * 7_919 % 10_000_000 + 100)
        self.events = events
    }

    func values(at time: Date) -> [any PostgresEncodable] { [id, operadora, amountCentavos, events, time] }

    /// The row in COPY text format (no field needs escaping).
    var textLine: String { "\(id)\t\(operadora)\t\(amountCentavos)\t\(events)\t2026-11-23 12:00:00+00\n" }
}

/// How fast `psql \copy` loads `rows` state rows from a file into a fresh table: the ceiling the
/// pipeline's rate is compared with. A CHECKPOINT first, so it writes no one else's dirty pages.
enum PsqlCeiling {
    struct Result {
        /// Rows/s of the whole psql run (start, connect, copy).
        let rowsPerSecond: Double
        /// Rows/s without psql's own start and connection (measured apart with `SELECT 1`).
        let rowsPerSecondWithoutStartup: Double
    }

    static func measure(rows: Int, pipeline: BenchmarkPipeline) async throws -> Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(pipeline.outboxSchema)-state.tsv")
        defer { try? FileManager.default.removeItem(at: file) }
        try (0..<rows).map { StateRow($0, operadora: BenchmarkPipeline.key($0), events: 500).textLine }.joined()
            .write(to: file, atomically: true, encoding: .utf8)
        try await pipeline.writerPool.withConnection {
            try $0.executeScript("CREATE TABLE state_ceiling (LIKE state INCLUDING ALL); CHECKPOINT")
        }
        let table = "\(pipeline.outboxSchema).state_ceiling"
        let copy = try await seconds {
            try await runPsql(pipeline.databaseURL, "\\copy \(table) (id, operadora, amount_centavos, events, updated_at) FROM '\(file.path)'")
        }
        let startup = try await seconds { try await runPsql(pipeline.databaseURL, "SELECT 1") }
        let loaded = try await pipeline.count("SELECT count(*) FROM state_ceiling", in: pipeline.writerPool)
        guard loaded == rows else { throw BenchmarkFailure("psql loaded \(loaded) rows, not \(rows)") }
        return Result(rowsPerSecond: Double(rows) / copy, rowsPerSecondWithoutStartup: Double(rows) / (copy - startup))
    }
}
