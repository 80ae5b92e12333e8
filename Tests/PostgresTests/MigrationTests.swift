import Postgres
import Testing

@Suite struct MigrationTests {
    static let migrations = [
        PostgresMigration(version: 1, name: "create ledger", sql: """
            CREATE TABLE ledger (id bigint PRIMARY KEY, centavos bigint NOT NULL);
            CREATE TABLE applied_log (note text NOT NULL);
            INSERT INTO applied_log VALUES ('v1');
            """),
        PostgresMigration(version: 2, name: "add day", sql: """
            ALTER TABLE ledger ADD COLUMN day date;
            INSERT INTO applied_log VALUES ('v2');
            """),
        PostgresMigration(version: 3, name: "index day", sql: """
            CREATE INDEX ledger_day ON ledger (day);
            INSERT INTO applied_log VALUES ('v3');
            """),
    ]

    /// Runs `body` with pools on a schema that does not exist yet (the migrator creates it).
    private func withFreshSchema(_ body: (String, [PostgresPool]) async throws -> Void) async throws {
        let schema = TestDatabase.randomName("pgmigrate")
        let configuration = try PostgresConfiguration(connectionString: TestDatabase.url(), schema: schema)
        let pools = (0..<2).map { _ in PostgresPool(configuration: configuration, options: .init(size: 1)) }
        func drop() async throws {
            try await pools[0].withConnection { try $0.executeScript("DROP SCHEMA IF EXISTS \(try $0.quoteIdentifier(schema)) CASCADE") }
            for pool in pools { await pool.close() }
        }
        do { try await body(schema, pools); try await drop() } catch { try? await drop(); throw error }
    }

    @Test func twoReplicasStartingTogetherApplyEachMigrationOnce() async throws {
        try await withFreshSchema { schema, pools in
            let migrator = PostgresMigrator(schema: schema, migrations: Self.migrations)
            async let first = migrator.migrate(using: pools[0])
            async let second = migrator.migrate(using: pools[1])
            let applied = try await [first, second]
            #expect(applied.flatMap { $0 }.sorted() == [1, 2, 3])
            #expect(applied.contains([]))

            let (log, recorded) = try await pools[0].withConnection { connection in
                (
                    try connection.query("SELECT note FROM applied_log ORDER BY note").map { try $0.decode(String.self, at: 0) },
                    try connection.query("SELECT version, name FROM schema_migrations ORDER BY version").map {
                        "\(try $0.decode(Int64.self, at: 0)) \(try $0.decode(String.self, at: 1))"
                    }
                )
            }
            #expect(log == ["v1", "v2", "v3"])
            #expect(recorded == ["1 create ledger", "2 add day", "3 index day"])
            #expect(try await migrator.migrate(using: pools[0]) == [])
        }
    }

    @Test func newMigrationsApplyLater() async throws {
        try await withFreshSchema { schema, pools in
            let first = try await PostgresMigrator(schema: schema, migrations: Array(Self.migrations.prefix(1))).migrate(using: pools[0])
            let second = try await PostgresMigrator(schema: schema, migrations: Self.migrations).migrate(using: pools[1])
            #expect(first == [1])
            #expect(second == [2, 3])
        }
    }

    @Test func aChangedAppliedMigrationIsAnError() async throws {
        try await withFreshSchema { schema, pools in
            try await PostgresMigrator(schema: schema, migrations: Self.migrations).migrate(using: pools[0])
            var changed = Self.migrations
            changed[1] = PostgresMigration(version: 2, name: "add day", sql: "ALTER TABLE ledger ADD COLUMN day2 date;")
            await #expect {
                try await PostgresMigrator(schema: schema, migrations: changed).migrate(using: pools[0])
            } throws: { error in
                guard let error = error as? PostgresError else { return false }
                return error.kind == .misuse && error.message.contains("migration 2 (add day)") && error.message.contains("changed")
            }
        }
    }

    @Test func aFailingMigrationIsRolledBackAndNotRecorded() async throws {
        try await withFreshSchema { schema, pools in
            let broken = Self.migrations.prefix(1) + [
                PostgresMigration(version: 2, name: "broken", sql: "CREATE TABLE half (n int); SELECT no_such_function();"),
            ]
            await #expect {
                try await PostgresMigrator(schema: schema, migrations: Array(broken)).migrate(using: pools[0])
            } throws: { ($0 as? PostgresError)?.sqlState == "42883" }
            let (versions, halfExists) = try await pools[0].withConnection { connection in
                (
                    try connection.query("SELECT version FROM schema_migrations").map { try $0.decode(Int64.self, at: 0) },
                    try connection.query("SELECT to_regclass('half') IS NOT NULL")[0].decode(Bool.self, at: 0)
                )
            }
            #expect(versions == [1])
            #expect(!halfExists)
        }
    }
}
