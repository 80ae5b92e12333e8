import Logging

/// One versioned schema change of a service. Once applied, its SQL must never change: add a new
/// migration instead.
public struct PostgresMigration: Sendable {
    public let version: Int
    public let name: String
    /// Fixed SQL text, possibly several statements; unqualified names land in the service schema.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a service's schema up to date: creates the schema, then applies each migration not yet
/// recorded in `<schema>.schema_migrations`, in version order, each in its own transaction.
///
/// Replicas starting together are safe: the whole run holds a session advisory lock derived from
/// the schema name, so one migrates while the others wait and then find nothing to do.
/// An applied migration whose SQL changed (checksum differs) is an error, as is a recorded version
/// the service no longer knows.
public struct PostgresMigrator: Sendable {
    public let schema: String
    public let migrations: [PostgresMigration]
    private let logger: Logger

    public init(schema: String, migrations: [PostgresMigration], logger: Logger = Logger(label: "ressus.postgres.migrations")) {
        self.schema = schema
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies pending migrations; returns the versions applied by this call.
    @discardableResult
    public func migrate(using pool: PostgresPool) async throws -> [Int] {
        let migrator = self
        return try await pool.withConnection { try migrator.migrate(on: $0) }
    }

    /// Applies pending migrations on one connection (blocking); returns the versions applied.
    @discardableResult
    public func migrate(on connection: PostgresConnection) throws -> [Int] {
        try validate()
        let lockKey = Self.advisoryLockKey(schema: schema)
        try connection.query("SELECT pg_advisory_lock($1)", [lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [lockKey]) }

        let quotedSchema = try connection.quoteIdentifier(schema)
        try connection.executeScript("""
            CREATE SCHEMA IF NOT EXISTS \(quotedSchema);
            CREATE TABLE IF NOT EXISTS \(quotedSchema).schema_migrations (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied: [Int64: (name: String, checksum: String)] = [:]
        for row in try connection.query("SELECT version, name, checksum FROM \(quotedSchema).schema_migrations") {
            applied[try row.decode(Int64.self, at: 0)] = (try row.decode(at: 1), try row.decode(at: 2))
        }
        let known = Set(migrations.map { Int64($0.version) })
        if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw PostgresError(kind: .misuse, message: "schema \(schema) has migration \(unknown) applied, which this service does not know")
        }

        var appliedNow: [Int] = []
        for migration in migrations {
            let checksum = try Self.checksum(of: migration.sql, on: connection)
            if let recorded = applied[Int64(migration.version)] {
                guard recorded.checksum == checksum else {
                    throw PostgresError(
                        kind: .misuse,
                        message: "migration \(migration.version) (\(migration.name)) of schema \(schema) changed after it was applied",
                        detail: "recorded checksum \(recorded.checksum), current \(checksum)"
                    )
                }
                continue
            }
            try connection.withTransaction { tx in
                try tx.query("SELECT set_config('search_path', $1, true)", [quotedSchema])
                try tx.executeScript(migration.sql)
                try tx.execute(
                    "INSERT INTO \(quotedSchema).schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, checksum]
                )
            }
            logger.info("applied migration", metadata: ["schema": "\(schema)", "version": "\(migration.version)", "name": "\(migration.name)"])
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    private func validate() throws {
        let versions = migrations.map(\.version)
        guard Set(versions).count == versions.count, versions.allSatisfy({ $0 > 0 }) else {
            throw PostgresError(kind: .misuse, message: "migration versions of schema \(schema) must be positive and unique: \(versions)")
        }
    }

    /// SHA-256 of the SQL text, hex, computed by the server (no crypto dependency here).
    static func checksum(of sql: String, on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [sql])[0].decode(at: 0)
    }

    /// A stable 64-bit key per schema (FNV-1a of "ressus.migrations.<schema>").
    static func advisoryLockKey(schema: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "ressus.migrations.\(schema)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
