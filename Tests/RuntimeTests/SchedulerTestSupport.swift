import Foundation
import Logging
import Postgres
import Runtime
import ServiceLifecycle
import TestSupport

/// The shared test database, a fresh schema with the runtime and scheduler migrations per test, and
/// a fire log table the tests' handlers write to.
enum SchedulerTestSchema {
    static func databaseURL() throws -> String { try TestEnvironment.databaseURL() }

    static func randomName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    static func pool(schema: String, size: Int = 4) throws -> PostgresPool {
        PostgresPool(
            configuration: try PostgresConfiguration(
                connectionString: databaseURL(), applicationName: "ressus-scheduler-tests", schema: schema),
            options: .init(size: size))
    }

    /// Runs `body` with a pool on a new migrated schema (with `fire_log`), dropped afterwards.
    static func withSchema<T>(_ body: (PostgresPool, String) async throws -> T) async throws -> T {
        let schema = randomName("schedtest")
        let pool = try pool(schema: schema)
        try await pool.withConnection { try $0.executeScript("CREATE SCHEMA \(try $0.quoteIdentifier(schema))") }
        do {
            try await PostgresMigrator(schema: schema, migrations: RuntimeMigrations.all)
                .migrate(using: pool)
            try await pool.withConnection { try $0.executeScript(fireLogTable) }
            let value = try await body(pool, schema)
            try await drop(schema, pool)
            return value
        } catch {
            try? await drop(schema, pool)
            throw error
        }
    }

    /// Every firing the tests' handlers record, in commit order of `seq`.
    static let fireLogTable = """
        CREATE TABLE fire_log (
            seq        bigserial PRIMARY KEY,
            work_key   text NOT NULL,
            due_at     timestamptz NOT NULL,
            fired_now  timestamptz NOT NULL,
            worker     text NOT NULL DEFAULT ''
        );
        """

    /// A handler that records each firing in `fire_log`.
    static func recorder(kind: String, worker: String = "", extraSQL: String? = nil) -> ScheduledWorkClosure {
        ScheduledWorkClosure(kind: kind) { item, context in
            _ = try context.connection.execute(
                "INSERT INTO fire_log (work_key, due_at, fired_now, worker) VALUES ($1, $2, $3, $4)",
                [item.key, item.dueAt, context.now, worker])
            if let extraSQL { _ = try context.connection.query(extraSQL) }
        }
    }

    private static func drop(_ schema: String, _ pool: PostgresPool) async throws {
        try await pool.withConnection { try $0.executeScript("DROP SCHEMA IF EXISTS \(try $0.quoteIdentifier(schema)) CASCADE") }
        await pool.close()
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws {
        try await waitUntil(what, timeout: timeout, condition)
    }
}


extension PostgresPool {
    func count(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await withConnection { try $0.query(sql, parameters)[0].decode(Int.self, at: 0) }
    }
}
