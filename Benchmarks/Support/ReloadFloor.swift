import Foundation

/// The database floor of a finished run: every row the run left in its schemas, reloaded by
/// `psql \copy` (the fastest way PostgreSQL takes rows) into empty copies of the same tables
/// (`LIKE … INCLUDING ALL`: columns, keys, indexes, checks; no foreign keys or triggers), one psql
/// per schema, all at once, as the services would write them side by side. No Kafka, no service
/// logic, no rows written and deleted on the way (pending outbox entries, done scheduled work):
/// a lower bound on the database time of any implementation that leaves these rows, so the
/// floor's rate against the ceiling bounds the ratio the run can reach.
public enum ReloadFloor {
    public struct Result: Sendable {
        /// Wall seconds from starting the psql processes to the last one finishing.
        public let seconds: Double
        /// Rows reloaded, over all tables.
        public let rows: Int
        /// Tables that held rows.
        public let tables: Int
        /// Each of those tables (`schema.table`), its rows and psql's time for its `\copy`, the
        /// slowest first.
        public let slowest: [(table: String, rows: Int, seconds: Double)]

        /// The `count` slowest tables, as `schema.table N rows X.XX s`, for a report line.
        public func slowestTables(_ count: Int) -> String {
            slowest.prefix(count).map { String(format: "%@ %d rows %.2f s", $0.table, $0.rows, $0.seconds) }
                .joined(separator: ", ")
        }
    }

    /// Reloads what `schemas` hold, with files in `directory` (removed afterwards). The source
    /// tables are vacuumed first and a CHECKPOINT taken, so no autovacuum or earlier dirty pages
    /// compete with the timed part.
    public static func measure(databaseURL: String, schemas: [String], directory: URL) async throws -> Result {
        let work = directory.appendingPathComponent("reload-floor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var loads: [(schema: String, tables: [(name: String, file: URL, rows: Int)])] = []
        for schema in schemas {
            var tables: [(name: String, file: URL, rows: Int)] = []
            for table in try await tableNames(databaseURL, schema: schema, work: work) {
                let file = work.appendingPathComponent("\(schema).\(table).copy")
                try await runPsql(databaseURL, commands: ["VACUUM \(schema).\(table)", "\\copy \(schema).\(table) TO '\(file.path)'"])
                let rows = try lineCount(file)
                if rows > 0 { tables.append((table, file, rows)) }
            }
            loads.append((schema, tables))
        }
        let elapsed: Double
        var slowest: [(table: String, rows: Int, seconds: Double)] = []
        for (schema, tables) in loads {
            try await runPsql(databaseURL, commands: ["DROP SCHEMA IF EXISTS floor_\(schema) CASCADE", "CREATE SCHEMA floor_\(schema)"]
                              + tables.map { "CREATE TABLE floor_\(schema).\($0.name) (LIKE \(schema).\($0.name) INCLUDING ALL)" })
        }
        let drops = loads.map { "DROP SCHEMA IF EXISTS floor_\($0.schema) CASCADE" }
        do {
            try await runPsql(databaseURL, "CHECKPOINT")
            elapsed = try await seconds {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (schema, tables) in loads where !tables.isEmpty {
                        let commands = ["\\timing on"] + tables.map { "\\copy floor_\(schema).\($0.name) FROM '\($0.file.path)'" }
                        let output = work.appendingPathComponent("\(schema).timing")
                        group.addTask {
                            let arguments = [databaseURL, "-X", "-q", "-v", "ON_ERROR_STOP=1"] + commands.flatMap { ["-c", $0] }
                            guard try await runProcess("/usr/bin/psql", arguments, output: output) == 0 else {
                                throw BenchmarkFailure("psql failed reloading schema \(schema)")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            for (schema, tables) in loads where !tables.isEmpty {
                let times = try String(contentsOf: work.appendingPathComponent("\(schema).timing"), encoding: .utf8)
                    .split(separator: "\n").compactMap { line -> Double? in
                        guard line.hasPrefix("Time: "), let ms = Double(line.dropFirst(6).prefix { $0 != " " }) else { return nil }
                        return ms / 1_000
                    }
                guard times.count == tables.count else {
                    throw BenchmarkFailure("psql timed \(times.count) of schema \(schema)'s \(tables.count) tables")
                }
                for (table, time) in zip(tables, times) { slowest.append(("\(schema).\(table.name)", table.rows, time)) }
            }
            slowest.sort { $0.seconds > $1.seconds }
            for (schema, tables) in loads {
                for table in tables {
                    let loaded = try await psqlValue(databaseURL, "SELECT count(*) FROM floor_\(schema).\(table.name)", work: work)
                    guard loaded == String(table.rows) else {
                        throw BenchmarkFailure("floor_\(schema).\(table.name) holds \(loaded) rows, not \(table.rows)")
                    }
                }
            }
        } catch {
            try? await runPsql(databaseURL, commands: drops)
            throw error
        }
        try await runPsql(databaseURL, commands: drops)
        let all = loads.flatMap(\.tables)
        return Result(seconds: elapsed, rows: all.reduce(0) { $0 + $1.rows }, tables: all.count, slowest: slowest)
    }

    private static func tableNames(_ url: String, schema: String, work: URL) async throws -> [String] {
        try await psqlValue(url, """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '\(schema)' AND c.relkind = 'r' ORDER BY 1
            """, work: work).split(separator: "\n").map(String.init)
    }

    /// The unaligned, tuples-only output of one query.
    private static func psqlValue(_ url: String, _ query: String, work: URL) async throws -> String {
        let output = work.appendingPathComponent("query.out")
        guard try await runProcess("/usr/bin/psql", [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query],
                                   output: output) == 0 else {
            throw BenchmarkFailure("psql failed running \(query)")
        }
        return try String(contentsOf: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rows in a COPY text file: one line each (COPY escapes newlines inside values).
    private static func lineCount(_ file: URL) throws -> Int {
        let data = try Data(contentsOf: file, options: .alwaysMapped)
        return data.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}
