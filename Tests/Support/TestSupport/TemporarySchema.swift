import Foundation
import Postgres

/// A schema of its own for one test on the shared PostgreSQL: created (and migrated, when
/// migrations are given), handed to the test with a pool whose search_path is that schema, and
/// dropped afterwards whatever the outcome.
public enum TemporarySchema {
    public static func with<T>(
        prefix: String, applicationName: String, poolSize: Int = 4, migrations: [PostgresMigration] = [],
        _ body: (PostgresPool, String) async throws -> T
    ) async throws -> T {
        let schema = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let configuration = try PostgresConfiguration(
            connectionString: try TestEnvironment.databaseURL(), applicationName: applicationName, schema: schema)
        let pool = PostgresPool(configuration: configuration, options: .init(size: poolSize))
        try await pool.withConnection { try $0.executeScript("CREATE SCHEMA \(try $0.quoteIdentifier(schema))") }
        do {
            if !migrations.isEmpty {
                try await PostgresMigrator(schema: schema, migrations: migrations).migrate(using: pool)
            }
            let value = try await body(pool, schema)
            try await drop(schema, pool)
            return value
        } catch {
            try? await drop(schema, pool)
            throw error
        }
    }

    private static func drop(_ schema: String, _ pool: PostgresPool) async throws {
        try await pool.withConnection { try $0.executeScript("DROP SCHEMA IF EXISTS \(try $0.quoteIdentifier(schema)) CASCADE") }
        await pool.close()
    }
}
