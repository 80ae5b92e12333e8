import Foundation
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// Replay, retention and status against the real PostgreSQL (and broker for replay).
@Suite struct OutboxReplayTests {
    /// Replaying from an event id and from a time republishes exactly those rows, in seq order.
    @Test func replayRepublishesFromThePointInOrder() async throws {
        let fixture = try await OutboxFixture.make(partitions: 1)
        defer { Task { await fixture.tearDown() } }
        let envelopes = (0..<30).map { OutboxFixture.envelope(key: "k\($0 % 3)", index: $0) }
        for chunk in 0..<3 { try await fixture.append(Array(envelopes[chunk * 10..<chunk * 10 + 10])) }
        // The first ten rows were written an hour ago.
        _ = try await fixture.pool.withConnection {
            try $0.execute("UPDATE outbox SET created_at = now() - interval '1 hour' WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT 10)")
        }
        let services = RunningServices([fixture.relay()])
        let replay = OutboxReplay(pool: fixture.pool)
        #expect(try await eventually { try await fixture.count(OutboxFixture.unsent) == 0 })

        #expect(try await replay.replay(fromEventId: envelopes[20].id) == 10)
        #expect(try await eventually { try await fixture.count(OutboxFixture.unsent) == 0 })
        #expect(try await replay.replay(since: Date().addingTimeInterval(-1_800)) == 20)
        #expect(try await eventually { try await fixture.count(OutboxFixture.unsent) == 0 })
        await #expect(throws: OutboxReplay.ReplayError.eventNotFound(envelopes[0].id.inverted)) {
            try await replay.replay(fromEventId: envelopes[0].id.inverted)
        }
        try await services.stop()

        let messages = try await fixture.consume(count: 60)
        let ids = envelopes.map(\.id)
        #expect(messages.compactMap(\.eventID) == ids + ids[20..<30] + ids[10..<30])
    }

    /// Retention deletes sent rows older than the limit, never newer sent rows or pending ones.
    @Test func retentionDeletesOnlyOldSentRows() async throws {
        let fixture = try await OutboxFixture.make(partitions: 1)
        defer { Task { await fixture.tearDown() } }
        let envelopes = (0..<30).map { OutboxFixture.envelope(key: "k", index: $0) }
        try await fixture.append(envelopes)
        let deleted = try await fixture.pool.withConnection { connection in
            // Rows 1-10 sent 8 days ago, rows 11-20 sent 6 days ago (as the relay notes them),
            // rows 21-30 written 30 days ago and still pending.
            try connection.executeScript("""
                CREATE TEMPORARY TABLE ranked AS SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM outbox;
                UPDATE outbox SET created_at = now() - interval '30 days';
                DELETE FROM outbox_unsent WHERE seq IN (SELECT seq FROM ranked WHERE n <= 20);
                INSERT INTO outbox_sent_minutes (minute, lowest_seq)
                SELECT date_trunc('minute', now() - interval '8 days'), min(seq) FROM ranked WHERE n <= 10
                UNION ALL
                SELECT date_trunc('minute', now() - interval '6 days'), min(seq) FROM ranked WHERE n > 10 AND n <= 20;
                DROP TABLE ranked;
                """)
            let deleted = try OutboxRetention.deleteExpired(on: connection, olderThan: .seconds(7 * 86_400))
            #expect(try connection.query("SELECT count(*) FROM outbox_sent_minutes")[0].decode(Int.self, at: 0) == 1,
                    "the minute older than the retention is forgotten")
            return deleted
        }
        #expect(deleted == 10)
        let left = try await fixture.rowsInSeqOrder()
        #expect(left.map(\.id) == envelopes[10...].map(\.id))
        #expect(left.filter(\.sent).count == 10)

        // The active relay runs it too (on its first round).
        var options = OutboxRelay.Options.testing
        options.retention = .seconds(5 * 86_400)
        let relay = fixture.relay(options: options)
        let services = RunningServices([relay])
        #expect(try await eventually { relay.statistics.expiredDeleted == 10 })
        try await services.stop()
        // Rows 21-30, published by that relay long after they were written, are kept: they were
        // sent only now.
        #expect(try await fixture.count(OutboxFixture.unsent) == 0)
        let again = try await fixture.pool.withConnection {
            try OutboxRetention.deleteExpired(on: $0, olderThan: .seconds(5 * 86_400))
        }
        #expect(again == 0)
        #expect(try await fixture.count("true") == 10)
    }

    /// Status counts pending and sent rows and the oldest pending row's age.
    @Test func statusReportsPendingSentAndAge() async throws {
        let fixture = try await OutboxFixture.make(createTopic: false)
        defer { Task { await fixture.tearDown() } }
        let replay = OutboxReplay(pool: fixture.pool)
        let empty = try await replay.status()
        #expect(empty.pending == 0 && empty.sent == 0 && empty.oldestPendingAgeSeconds == nil)

        try await fixture.append((0..<5).map { OutboxFixture.envelope(key: "k", index: $0) })
        _ = try await fixture.pool.withConnection {
            try $0.execute("DELETE FROM outbox_unsent WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT 2)")
            return try $0.execute("UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE \(OutboxFixture.unsent)")
        }
        let status = try await replay.status()
        #expect(status.pending == 3 && status.sent == 2)
        #expect((90...120).contains(status.oldestPendingAgeSeconds ?? -1))
    }
}

extension UUID {
    /// A different id derived from this one (every byte flipped).
    var inverted: UUID {
        var bytes = uuid
        withUnsafeMutableBytes(of: &bytes) { for index in $0.indices { $0[index] = ~$0[index] } }
        return UUID(uuid: bytes)
    }
}
