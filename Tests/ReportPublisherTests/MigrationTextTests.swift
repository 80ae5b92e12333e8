@testable import Postgres
@testable import ReportPublisherCore
import Testing
import TestSupport

/// The report publisher's migrations are built from the read model's shared SQL fragments
/// (``ReadModelQueries``), so editing a fragment can change an applied migration's text, which the
/// migrator then refuses on every database that applied it (checksum mismatch). Their checksums, as
/// the migrator computes them, are pinned here: a changed text is a new migration, never an edit.
@Suite struct MigrationTextTests {
    static let applied: [Int: String] = [
        100: "8dd9764583bc72c0a90037618f11346158e938b565237f982b4a4ea3bc7c6192",
        101: "1e4c9f612dfc2aa2b41eba6dde324a3900c80043e36551029eee440d3bb03b9a",
        102: "1656fcaa3e1385777b2b13494b4182e7159f10dd0a30e10355b24c5c7e19c659",
        103: "e1d9ed41b966be5671030897b5da36069ab2d6a2a51ad27e5067ddcf7425bb4a",
        104: "a17b6ec22cb64504ba8e0a385d3416e739ac5bf914ba229a71ac6d5e624e55da",
        105: "6c04f125d467994e66a9a1bf66bef58ec1152ed1c9d200f868c03c37f7500c6c",
        106: "dcabe8107eb1578d07e5a4e1f1d92ff04b0e7dec58004035dc38a868c4977a3c",
        107: "11249bcd784d9d937cc1c72d760e4518f8ddf68771b3ba0804cc0b267c3fd9bd",
        108: "24bdadca67dc75cbaf4d3cdaa4bff74c80f6be560f62843f87992027fe70f81e",
        109: "9c430731d9a0bf6fb6f7b3aa241f26a69c827cab12ba098c13f7d21e2efc2890",
        110: "d58baf8f6ce09a394c9e70cbe819927aba72e1d8e90c325896a6a1d79b122af2",
    ]

    @Test func appliedMigrationsKeepTheirText() async throws {
        let pool = PostgresPool(configuration: try PostgresConfiguration(connectionString: try TestEnvironment.databaseURL()),
                                options: .init(size: 1))
        let checksums = try await pool.withConnection { connection in
            try ReportPublisherMigrations.all.filter { Self.applied[$0.version] != nil }.map {
                ($0.version, try PostgresMigrator.checksum(of: $0.sql, on: connection))
            }
        }
        await pool.close()
        #expect(checksums.count == Self.applied.count)
        for (version, checksum) in checksums {
            #expect(checksum == Self.applied[version], "migration \(version)'s text changed")
        }
    }
}
