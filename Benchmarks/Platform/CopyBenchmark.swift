import Foundation
import Postgres

/// Bulk-write throughput of the wrapper's COPY against `psql \copy` of the same rows:
/// - one COPY statement, rows handed to libpq in 1,000-row batches, vs one `\copy` of a file;
/// - 100 COPY statements of 1,000 rows, each its own pool call (as a service writes batches),
///   vs one psql session running 100 `\copy` commands of 1,000-row files.
/// Same table, truncated between runs; every load is checked to leave identical contents.
enum CopyBenchmark {
    static let columns = ["id", "description", "due_date", "amount_centavos", "installments", "operadora"]
    static let rounds = 7

    struct Row: Sendable {
        let id: Int64
        let description: String
        let dueDate: PostgresDate
        let amountCentavos: Int64
        let installments: Int32
        let operadora: String

        var values: [any PostgresEncodable] { [id, description, dueDate, amountCentavos, installments, operadora] }

        /// The same row in COPY text format, for psql (no field needs escaping).
        var textLine: String {
            "\(id)\t\(description)\t\(dueDate)\t\(amountCentavos)\t\(installments)\t\(operadora)\n"
        }

        init(_ index: Int) {
            id = Int64(index + 1)
            let suffix = String(repeating: "x", count: 24 + index % 7)
            description = "Atendimento AIH \(String(format: "%013d", index * 7919)) \(suffix)" // ~60 characters
            let day = Int64(19_000 + index % 3_000) // days since 1970
            let (year, month, dayOfMonth) = Self.civil(day)
            dueDate = PostgresDate(year: year, month: month, day: dayOfMonth)!
            amountCentavos = Int64(index * 7919 % 10_000_000 + 100)
            installments = Int32(index % 60 + 1)
            operadora = "operadora-\(index % 1000)"
        }

        private static func civil(_ days: Int64) -> (Int, Int, Int) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
            return (parts.year!, parts.month!, parts.day!)
        }
    }

    static func run(databaseURL: String, rows: Int = 100_000) async throws {
        let schema = "bench_copy_\(UInt32.random(in: 0...UInt32.max))"
        let configuration = try PostgresConfiguration(
            connectionString: databaseURL, applicationName: "ressus-platform-benchmark", schema: schema
        )
        let pool = PostgresPool(configuration: configuration, options: .init(size: 1))
        let data = (0..<rows).map(Row.init)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(schema)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("all.tsv")
        try data.map(\.textLine).joined().write(to: file, atomically: true, encoding: .utf8)
        var batchFiles: [String] = []
        for start in stride(from: 0, to: rows, by: 1_000) {
            let batchFile = directory.appendingPathComponent("batch-\(start).tsv")
            try data[start..<min(start + 1_000, rows)].map(\.textLine).joined().write(to: batchFile, atomically: true, encoding: .utf8)
            batchFiles.append(batchFile.path)
        }
        try await pool.withConnection { connection in
            let quoted = try connection.quoteIdentifier(schema)
            try connection.executeScript("""
                CREATE SCHEMA \(quoted);
                CREATE TABLE \(quoted).charges (
                    id bigint NOT NULL, description text NOT NULL, due_date date NOT NULL,
                    amount_centavos bigint NOT NULL, installments integer NOT NULL, operadora text NOT NULL
                )
                """)
        }

        do {
            try await measureAll(pool: pool, data: data, databaseURL: databaseURL, schema: schema, file: file.path, batchFiles: batchFiles)
        } catch {
            try? await pool.withConnection { try $0.executeScript("DROP SCHEMA \(try $0.quoteIdentifier(schema)) CASCADE") }
            await pool.close()
            throw error
        }
        try await pool.withConnection { try $0.executeScript("DROP SCHEMA \(try $0.quoteIdentifier(schema)) CASCADE") }
        await pool.close()
    }

    private static func measureAll(
        pool: PostgresPool, data: [Row], databaseURL: String, schema: String, file: String, batchFiles: [String]
    ) async throws {
        let rows = data.count
        print("COPY benchmark: \(rows) rows x \(columns.count) columns, \(rounds) interleaved rounds (median of each shown)")
        var batched: [Double] = [], streamed: [Double] = [], psql: [Double] = [], psqlBatched: [Double] = []
        var digests: Set<String> = []
        var psqlStartup: [Double] = []
        for round in 1...rounds {
            try await truncate(pool)
            batched.append(try await measure(rows) {
                for start in stride(from: 0, to: rows, by: 1_000) {
                    let batch = data[start..<min(start + 1_000, rows)]
                    _ = try await pool.withConnection { connection in
                        try connection.copy(into: "charges", columns: columns, rows: batch.lazy.map(\.values))
                    }
                }
            })
            digests.insert(try await digest(pool, rows: rows))

            try await truncate(pool)
            streamed.append(try await measure(rows) {
                _ = try await pool.withConnection { connection in
                    try connection.copy(into: "charges", columns: columns, rows: data.lazy.map(\.values), batchSize: 1_000)
                }
            })
            digests.insert(try await digest(pool, rows: rows))

            try await truncate(pool)
            psql.append(try await measure(rows) { try runPsql(databaseURL: databaseURL, schema: schema, files: [file]) })
            digests.insert(try await digest(pool, rows: rows))

            psqlStartup.append(try await seconds { try runPsql(databaseURL: databaseURL, schema: schema, files: []) })

            try await truncate(pool)
            psqlBatched.append(try await measure(rows) { try runPsql(databaseURL: databaseURL, schema: schema, files: batchFiles) })
            digests.insert(try await digest(pool, rows: rows))
            print(String(format: "  round %d: one statement: wrapper %.0f, psql %.0f; 100 statements: wrapper %.0f, psql %.0f rows/s",
                         round, streamed.last!, psql.last!, batched.last!, psqlBatched.last!))
        }
        guard digests.count == 1 else { throw BenchmarkError("the loads produced different table contents") }

        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let (wrapperOne, psqlOne) = (median(streamed), median(psql))
        let (wrapperHundred, psqlHundred) = (median(batched), median(psqlBatched))
        print(String(format: "  one COPY, 1,000-row batches: wrapper %.0f rows/s, psql \\copy %.0f rows/s, ratio %.2f",
                     wrapperOne, psqlOne, wrapperOne / psqlOne))
        print(String(format: "  100 COPYs of 1,000 rows:     wrapper %.0f rows/s, psql \\copy %.0f rows/s, ratio %.2f",
                     wrapperHundred, psqlHundred, wrapperHundred / psqlHundred))
        print(String(format: "  100 wrapper COPYs vs one psql \\copy:  ratio %.2f", wrapperHundred / psqlOne))
        let startup = median(psqlStartup)
        let psqlOneWithoutStartup = Double(rows) / (Double(rows) / psqlOne - startup)
        print(String(format: "  psql figures include starting psql and connecting (%.1f ms); without it, one psql \\copy: %.0f rows/s, ratio %.2f",
                     startup * 1000, psqlOneWithoutStartup, wrapperOne / psqlOneWithoutStartup))
        print(String(format: "  wrapper/psql (one COPY in 1,000-row batches): %.2f (target >= 0.80)", wrapperOne / psqlOne))
    }

    private static func measure(_ rows: Int, _ work: () async throws -> Void) async throws -> Double {
        Double(rows) / (try await seconds(work))
    }

    private static func seconds(_ work: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await work()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static func truncate(_ pool: PostgresPool) async throws {
        try await pool.withConnection { try $0.executeScript("TRUNCATE charges") }
    }

    /// Row count check plus a digest of the whole table, so every load is shown to write the same rows.
    private static func digest(_ pool: PostgresPool, rows: Int) async throws -> String {
        let (count, digest) = try await pool.withConnection { connection in
            let row = try connection.query("SELECT count(*), md5(string_agg(charges::text, '|' ORDER BY id)) FROM charges")[0]
            return (try row.decode(Int64.self, at: 0), try row.decode(String.self, at: 1))
        }
        guard count == rows else { throw BenchmarkError("expected \(rows) rows, found \(count)") }
        return digest
    }

    /// One psql session running one `\copy` per file.
    private static func runPsql(databaseURL: String, schema: String, files: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [databaseURL, "-X", "-q", "-v", "ON_ERROR_STOP=1"] + (files.isEmpty ? ["-c", "SELECT 1"] : []) + files.flatMap {
            ["-c", "\\copy \"\(schema)\".charges (\(columns.joined(separator: ", "))) FROM '\($0)'"]
        }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("psql failed: \(message)") }
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
