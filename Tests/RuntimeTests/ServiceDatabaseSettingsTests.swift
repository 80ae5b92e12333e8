import Postgres
import Runtime
import Testing
import TestSupport

/// A pool opened as a service opens its own (the service host, the CLI, the benchmarks) carries the
/// service's server settings; the report publisher's turn JIT off.
@Suite struct ServiceDatabaseSettingsTests {
    @Test func aServicePoolCarriesTheServiceSettings() async throws {
        let url = try TestEnvironment.databaseURL()
        let reportPublisher = try PostgresConfiguration(connectionString: url, applicationName: "settings-tests", service: .reportPublisher)
        let debtCalculator = try PostgresConfiguration(connectionString: url, applicationName: "settings-tests", service: .debtCalculator)
        #expect(reportPublisher.schema == "report_publisher")
        #expect(try await jit(reportPublisher) == "off (client)")
        #expect(try await jit(debtCalculator) == (try await jit(PostgresConfiguration(connectionString: url))))
    }

    /// The connection's `jit` and where it came from (`client`: the connection's own settings).
    private func jit(_ configuration: PostgresConfiguration) async throws -> String {
        let pool = PostgresPool(configuration: configuration, options: .init(size: 1))
        let value = try await pool.withConnection {
            let row = try $0.query("SELECT setting, source FROM pg_settings WHERE name = 'jit'")[0]
            return "\(try row.decode(String.self, at: 0)) (\(try row.decode(String.self, at: 1)))"
        }
        await pool.close()
        return value
    }
}
