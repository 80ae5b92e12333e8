import Foundation

/// The database floor of a finished run: every row the run left in its schemas, reloaded by
/// `psql \copy` (the fastest way PostgreSQL takes rows) into empty copies of the same tables
/// (`LIKE … INCLUDING ALL`: columns, keys, indexes, checks; no foreign keys or triggers), one COPY
/// stream per schema, the schemas side by side, as the services would write them. No Kafka, no
/// service logic, no rows written and deleted on the way (pending outbox entries, done scheduled
/// work). It bounds the database time of an implementation that leaves these rows with one stream
/// per service; more streams per service would compete for the same cores (on this machine's two,
/// splitting the runtime floor's sides into two streams each was slower, BENCHMARKS.md).
public enum ReloadFloor {
    /// What a reload took, and where.
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

    /// psql in the C locale: `\timing` then prints "Time: 12.345 ms" whatever the machine's language.
    static let psqlEnvironment = ["LC_ALL": "C", "PGCLIENTENCODING": "UTF8"]

    private struct Table {
        let name: String
        let file: URL
        let rows: Int
        var quotedName: String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    }

    /// Reloads what `schemas` (lowercase letters, digits and `_`; each with at least one table)
    /// hold, with files in `directory` (removed afterwards). The source tables are vacuumed first
    /// and a CHECKPOINT taken, so no autovacuum or earlier dirty pages compete with the timed part.
    /// The copies (schemas `floor_<schema>`) are dropped afterwards, also when it fails.
    public static func measure(databaseURL: String, schemas: [String], directory: URL) async throws -> Result {
        for schema in schemas where schema.isEmpty || !schema.utf8.allSatisfy({ (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f }) {
            throw BenchmarkFailure("schema name \(schema) is not lowercase letters, digits and _")
        }
        let work = directory.appendingPathComponent("reload-floor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var loads: [(schema: String, tables: [Table])] = []
        for schema in schemas {
            let names = try await tableNames(databaseURL, schema: schema, work: work)
            guard !names.isEmpty else { throw BenchmarkFailure("schema \(schema) has no tables") }
            var tables: [Table] = []
            for name in names {
                let file = work.appendingPathComponent("\(loads.count)-\(tables.count).copy")
                let source = Table(name: name, file: file, rows: 0).quotedName
                try await runPsql(databaseURL, commands: ["VACUUM \(schema).\(source)", "\\copy \(schema).\(source) TO '\(file.path)'"])
                let rows = try lineCount(file)
                if rows > 0 { tables.append(Table(name: name, file: file, rows: rows)) }
            }
            loads.append((schema, tables))
        }
        let drops = loads.map { "DROP SCHEMA IF EXISTS floor_\($0.schema) CASCADE" }
        do {
            let result = try await reload(loads, databaseURL: databaseURL, work: work)
            try await runPsql(databaseURL, commands: drops)
            return result
        } catch {
            try? await runPsql(databaseURL, commands: drops)
            throw error
        }
    }

    /// Creates the copies, loads them (timed) and checks their counts.
    private static func reload(_ loads: [(schema: String, tables: [Table])], databaseURL: String, work: URL) async throws -> Result {
        for (schema, tables) in loads {
            try await runPsql(databaseURL, commands: ["DROP SCHEMA IF EXISTS floor_\(schema) CASCADE", "CREATE SCHEMA floor_\(schema)"]
                              + tables.map { "CREATE TABLE floor_\(schema).\($0.quotedName) (LIKE \(schema).\($0.quotedName) INCLUDING ALL)" })
        }
        try await runPsql(databaseURL, "CHECKPOINT")
        let elapsed = try await seconds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, (schema, tables)) in loads.enumerated() where !tables.isEmpty {
                    let commands = ["\\timing on"] + tables.map { "\\copy floor_\(schema).\($0.quotedName) FROM '\($0.file.path)'" }
                    let output = work.appendingPathComponent("\(index).timing")
                    group.addTask {
                        try await runPsql(databaseURL, commands: commands, output: output, environment: psqlEnvironment)
                    }
                }
                try await group.waitForAll()
            }
        }
        var slowest: [(table: String, rows: Int, seconds: Double)] = []
        for (index, (schema, tables)) in loads.enumerated() where !tables.isEmpty {
            let times = try String(contentsOf: work.appendingPathComponent("\(index).timing"), encoding: .utf8)
                .split(separator: "\n").compactMap { line -> Double? in
                    // "Time: 7680.123 ms (00:07.680)"
                    guard line.hasPrefix("Time: "), let ms = Double(line.dropFirst(6).prefix { $0 != " " }) else { return nil }
                    return ms / 1_000
                }
            guard times.count == tables.count else {
                throw BenchmarkFailure("psql timed \(times.count) of schema \(schema)'s \(tables.count) tables")
            }
            for (table, time) in zip(tables, times) {
                let loaded = try await psqlValue(databaseURL, "SELECT count(*) FROM floor_\(schema).\(table.quotedName)", work: work)
                guard loaded == String(table.rows) else {
                    throw BenchmarkFailure("floor_\(schema).\(table.name) holds \(loaded) rows, not \(table.rows)")
                }
                slowest.append(("\(schema).\(table.name)", table.rows, time))
            }
        }
        slowest.sort { $0.seconds > $1.seconds }
        return Result(seconds: elapsed, rows: slowest.reduce(0) { $0 + $1.rows }, tables: slowest.count, slowest: slowest)
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
        try await runPsql(url, commands: ["\\pset format unaligned", "\\pset tuples_only on", query],
                          output: output, environment: psqlEnvironment)
        return try String(contentsOf: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rows in a COPY text file: one line each (COPY escapes newlines inside values).
    private static func lineCount(_ file: URL) throws -> Int {
        let data = try Data(contentsOf: file, options: .alwaysMapped)
        return data.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}
