import Foundation
import Models
import Postgres
@testable import Runtime
import TestSupport
import Testing

/// Runtime migration 15 turns the outbox's stored headers from jsonb into text.
@Suite struct OutboxHeadersMigrationTests {
    /// Rows stored while headers were jsonb (so in jsonb's spacing), still unsent at the migration,
    /// are published after it with their headers, in order with a row written after it.
    @Test func rowsStoredAsJsonbArePublishedWithTheirHeadersAfterTheMigration() async throws {
        let fixture = try await OutboxFixture.make(migrations: RuntimeMigrations.all.filter { $0.version != 15 })
        defer { Task { await fixture.tearDown() } }
        let before = (0..<3).map { OutboxFixture.envelope(key: "k", index: $0) }
        let topic = fixture.topic
        try await fixture.pool.withTransaction { connection in
            for envelope in before {
                try connection.execute(
                    PostgresStatement("""
                        INSERT INTO outbox (event_id, topic, partition_key, event_type, headers, payload)
                        VALUES ($1, $2, $3, $4, $5::text::jsonb, $6)
                        """),
                    [envelope.id, topic, envelope.partitionKey, envelope.type.description,
                     OutboxWriter.headersJSON(envelope), Array(envelope.payload)])
            }
        }
        #expect(try await headersColumnType(fixture) == "jsonb")

        try await PostgresMigrator(schema: fixture.schema, migrations: RuntimeMigrations.all).migrate(using: fixture.pool)
        #expect(try await headersColumnType(fixture) == "text")
        let stored = try await fixture.pool.withConnection { connection in
            try connection.query("SELECT headers FROM outbox ORDER BY seq LIMIT 1")[0].decode(String.self, at: 0)
        }
        #expect(stored.contains("{\"ce_id\": \""), "jsonb's spacing kept: \(stored)")
        let after = OutboxFixture.envelope(key: "k", index: 3)
        try await fixture.append([after])

        let services = RunningServices([fixture.relay()])
        let allSent = try await eventually(within: .seconds(60)) { try await fixture.count(OutboxFixture.unsent) == 0 }
        #expect(allSent)
        try await services.stop()
        let messages = try await fixture.consume(count: 4)
        let published = try messages.map {
            try CloudEventHeaders.decode(headers: $0.headers.map { ($0.name, $0.value) }, key: $0.key, value: $0.value)
        }
        #expect(published.map(\.id) == (before + [after]).map(\.id))
        #expect(published.map(\.type) == (before + [after]).map(\.type))
        #expect(published.map(\.source) == (before + [after]).map(\.source))
        #expect(published.map(\.payload) == (before + [after]).map(\.payload))
    }

    private func headersColumnType(_ fixture: OutboxFixture) async throws -> String {
        try await fixture.pool.withConnection { connection in
            try connection.query("""
                SELECT data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'outbox' AND column_name = 'headers'
                """)[0].decode(String.self, at: 0)
        }
    }
}
