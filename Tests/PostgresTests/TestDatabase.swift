import Foundation
import Postgres
import TestSupport

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
        try await TemporarySchema.with(
            prefix: "pgtest", applicationName: "ressus-postgres-tests", poolSize: poolSize, body)
    }
}
