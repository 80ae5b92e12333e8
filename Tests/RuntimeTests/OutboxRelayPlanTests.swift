import Foundation
import Postgres
@testable import Runtime
import Testing

/// The relay's statements keep using the primary keys after `outbox_unsent` grows from empty to a
/// burst's size with its statistics left behind (`OutboxRelay.connectionConfiguration`).
@Suite struct OutboxRelayPlanTests {
    @Test func pendingReadAndMarkSentUseThePrimaryKeysAfterABurstOutgrowsTheStatistics() async throws {
        let fixture = try await OutboxFixture.make(createTopic: false)
        defer { Task { await fixture.tearDown() } }
        let connection = try PostgresConnection(configuration: OutboxRelay.connectionConfiguration(fixture.database))
        defer { connection.close() }
        // Statistics of empty tables, and no autovacuum to refresh them during the test.
        try connection.executeScript("""
            ALTER TABLE outbox_unsent SET (autovacuum_enabled = false);
            ALTER TABLE outbox SET (autovacuum_enabled = false);
            ANALYZE outbox_unsent; ANALYZE outbox;
            """)
        // More executions than PostgreSQL's five custom plans before it may settle on a generic one.
        for _ in 0..<8 {
            _ = try OutboxRelayStore.pending(connection, limit: 1_000)
            _ = try OutboxRelayStore.markSent(connection, seqs: [1, 2, 3])
        }
        // The burst: 200,000 unsent rows (written as a batch writer does, with the per-row trigger off).
        try connection.executeScript("""
            BEGIN;
            SET LOCAL \(OutboxWriter.keysLockedSetting) = on;
            INSERT INTO outbox (seq, event_id, topic, partition_key, event_type, headers, payload)
            SELECT g, gen_random_uuid(), 't', 'k', 'test.v1', '[]', '\\x00' FROM generate_series(1000001, 1200000) AS g;
            INSERT INTO outbox_unsent (seq) SELECT generate_series(1000001, 1200000);
            COMMIT;
            """)

        let pendingPlan = try plan(of: OutboxRelayStore.pendingQuery, arguments: "1000", on: connection)
        let markSentPlan = try plan(of: OutboxRelayStore.markSentStatement, arguments: "'{1000001,1000002}', 1000001", on: connection)
        #expect(!pendingPlan.contains("Seq Scan"), "\(pendingPlan)")
        #expect(!markSentPlan.contains("Seq Scan"), "\(markSentPlan)")
    }

    /// The plan this session would run for `statement` (prepared by the connection under a name of
    /// its own, found in `pg_prepared_statements`) with these SQL-literal arguments.
    private func plan(of statement: PostgresStatement, arguments: String, on connection: PostgresConnection) throws -> String {
        let names = try connection.query("SELECT name FROM pg_prepared_statements WHERE statement = $1", [statement.sql])
            .map { try $0.decode(String.self, at: 0) }
        #expect(names.count == 1)
        guard let name = names.first else { return "" }
        return try connection.query("EXPLAIN EXECUTE \(try connection.quoteIdentifier(name))(\(arguments))")
            .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
    }
}
