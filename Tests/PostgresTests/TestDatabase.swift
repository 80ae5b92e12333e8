import Foundation
import Postgres

/// The shared test server (RESSUS_DATABASE_URL) and a fresh random schema per test.
enum TestDatabase {
    struct MissingEnvironment: Error, CustomStringConvertible {
        var description: String {
            "RESSUS_DATABASE_URL is not set: run the tests with `make test` (or `source .local/run/env.sh` first)"
        }
    }

    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["RESSUS_DATABASE_URL"], !url.isEmpty else {
            throw MissingEnvironment()
        }
        return url
    }

    static func randomName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    /// Runs `body` with a pool whose connections use a new, empty schema, dropped afterwards.
    static func withSchema<T>(
        poolSize: Int = 4, _ body: (PostgresPool, String) async throws -> T
    ) async throws -> T {
        let schema = randomName("pgtest")
        let configuration = try PostgresConfiguration(
            connectionString: url(), applicationName: "ressus-postgres-tests", schema: schema
        )
        let pool = PostgresPool(configuration: configuration, options: .init(size: poolSize))
        try await pool.withConnection { try $0.executeScript("CREATE SCHEMA \(try $0.quoteIdentifier(schema))") }
        do {
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
