import Foundation
import LoadReplay
import Postgres
import Runtime
import Testing
import TestSupport

/// The replay's exact backlog (``ReplayProbe/unconsumed(by:of:from:on:)``) on real outboxes and an
/// inbox, each in a schema with the runtime's tables.
@Suite struct ReplayBacklogTests {
    @Test func countsSentEventsOfTheConsumersTopicsMissingFromItsInbox() async throws {
        try await TemporarySchema.with(prefix: "replay_producer_a", applicationName: "replay-backlog-tests",
                                       migrations: RuntimeMigrations.all) { pool, producerA in
            try await TemporarySchema.with(prefix: "replay_producer_b", applicationName: "replay-backlog-tests",
                                           migrations: RuntimeMigrations.all) { _, producerB in
                try await TemporarySchema.with(prefix: "replay_consumer", applicationName: "replay-backlog-tests",
                                               migrations: RuntimeMigrations.all) { _, consumer in
                    try await pool.withConnection { c in
                        let ids = (0..<9).map { _ in UUID() }
                        // Producer A: three sent on t1, one unsent on t1, one sent on t2, one sent on t3.
                        for (index, topic, sent) in [(0, "t1", true), (1, "t1", true), (2, "t1", true), (3, "t1", false),
                                                     (4, "t2", true), (5, "t3", true)] {
                            try Self.publish(ids[index], topic: topic, sent: sent, in: producerA, on: c)
                        }
                        // Producer B: two sent on t2.
                        for index in [6, 7] { try Self.publish(ids[index], topic: "t2", sent: true, in: producerB, on: c) }
                        // The consumer applied one event of each producer, and one no outbox holds
                        // (published straight to its topic by an upstream system, e.g. a payment).
                        for index in [0, 6, 8] { try Self.consume(ids[index], in: consumer, on: c) }

                        let producers = [producerA, producerB]
                        // t1 and t2 sent: 0, 1, 2 (A, t1), 4 (A, t2), 6, 7 (B, t2); 0 and 6 consumed.
                        #expect(try ReplayProbe.unconsumed(by: consumer, of: ["t1", "t2"], from: producers, on: c) == 4)
                        #expect(try ReplayProbe.unconsumed(by: consumer, of: ["t1"], from: producers, on: c) == 2)
                        #expect(try ReplayProbe.unconsumed(by: consumer, of: ["t3"], from: producers, on: c) == 1)
                        #expect(try ReplayProbe.unconsumed(by: consumer, of: ["t2"], from: [producerB], on: c) == 1)
                        #expect(try ReplayProbe.unconsumed(by: consumer, of: ["t9"], from: producers, on: c) == 0)
                        #expect(try ReplayProbe.unconsumed(by: consumer, of: ["t1"], from: [], on: c) == 0)
                    }
                }
            }
        }
    }

    private static func publish(_ id: UUID, topic: String, sent: Bool, in schema: String, on c: PostgresConnection) throws {
        _ = try c.execute(PostgresStatement("""
            INSERT INTO \(schema).outbox (event_id, topic, partition_key, event_type, headers, payload)
            VALUES ($1, $2, 'k', 'test.event.v1', '{}', ''::bytea)
            """), [id, topic])
        if sent {
            _ = try c.execute(PostgresStatement("""
                DELETE FROM \(schema).outbox_unsent WHERE seq = (SELECT seq FROM \(schema).outbox WHERE event_id = $1)
                """), [id])
        }
    }

    private static func consume(_ id: UUID, in schema: String, on c: PostgresConnection) throws {
        _ = try c.execute(PostgresStatement("""
            INSERT INTO \(schema).inbox (consumer, event_id, event_type, outcome, source_topic, source_partition, source_offset)
            VALUES ('consumer', $1, 'test.event.v1', 'applied', 't1', 0, 0)
            """), [id])
    }
}
