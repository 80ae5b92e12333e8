import Foundation
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// Real process crashes (SIGKILL of a `runtime-test-worker`) against the real PostgreSQL and Tansu:
/// whatever the moment of the kill, every event has exactly one effect, in per-key order.
@Suite struct CrashTests {
    static let keys = 20

    /// Event `index` of a run: 20 keys, each with its own increasing sequence.
    static func event(_ index: Int) -> EventEnvelope {
        InboxFixture.event(key: "k\(index % keys)", sequence: index / keys)
    }

    /// A consumer killed mid-batch twice (kill, restart, kill, restart): the new members of the
    /// group redo what was not committed, and the inbox absorbs what was.
    @Test func consumerKilledMidBatchAppliesEveryEventOnceInKeyOrder() async throws {
        try await InboxFixture.with(partitions: 3) { fixture in
            let total = 10_000
            try await fixture.produce((0..<total).map { fixture.message(Self.event($0)) })
            let arguments = [
                "consume", "--schema", fixture.schema, "--topic", fixture.topic, "--group", fixture.consumerName,
                "--type", InboxFixture.eventType.description, "--emit", InboxFixture.emittedTopic,
            ]
            var killedAt: [Int] = []
            for round in 1...2 {
                let worker = try RuntimeWorker(arguments)
                try await waitUntil("worker \(round) to apply 2,000 events", timeout: .seconds(60)) {
                    try worker.requireRunning()
                    return worker.lastReported("applied") >= 2_000
                }
                worker.crash()
                try await worker.waitForExit()
                #expect(worker.wasKilled, "worker \(round) was not ended by SIGKILL")
                killedAt.append(try await fixture.count("SELECT count(*) FROM inbox"))
            }
            #expect(killedAt.allSatisfy { $0 < total }, "a worker finished before it was killed: \(killedAt)")
            print("consumer crash: events recorded in the inbox when each worker was killed: \(killedAt)")

            let last = try RuntimeWorker(arguments)
            try await waitUntil("the last worker to apply the rest", timeout: .seconds(90)) {
                try last.requireRunning()
                return try await fixture.count("SELECT count(*) FROM inbox") >= total
            }
            try await last.stop()
            try await last.waitForExit()
            #expect(last.exitedCleanly, "the last worker did not shut down gracefully")

            #expect(try await fixture.count("SELECT count(*) FROM effects") == total)
            #expect(try await fixture.count("SELECT count(DISTINCT event_id) FROM effects") == total)
            #expect(try await fixture.count("SELECT count(*) FROM inbox") == total)
            #expect(try await fixture.count("SELECT count(*) FROM inbox WHERE outcome = 'applied'") == total)
            // The events each handler run emitted committed with its effect: exactly one per event.
            #expect(try await fixture.count("SELECT count(*) FROM outbox") == total)
            try await InboxConsumerTests.expectAppliedInKeyOrder(fixture)
        }
    }

    /// A relay killed after a batch is on the topic but before its rows are marked sent publishes
    /// those rows again after the restart; a consumer applies each event exactly once anyway.
    ///
    /// To stop the relay exactly there, the test holds a row lock on one row's `outbox_unsent` entry:
    /// the relay fetches and produces that row's batch, waits for every delivery report, and then
    /// its mark-sent DELETE waits for the lock. It is killed while waiting; its session is told to notice
    /// a vanished client (`client_connection_check_interval`), so the server aborts the UPDATE.
    @Test func relayKilledBetweenPublishAndMarkSentLeavesEachEventAppliedOnce() async throws {
        try await InboxFixture.with(partitions: 3) { inbox in
            // The outbox lives in another service's schema and publishes to the inbox's topic.
            let made = try await OutboxFixture.make(createTopic: false)
            let outbox = OutboxFixture(schema: made.schema, topic: inbox.topic, database: made.database,
                                       pool: made.pool, kafka: made.kafka)
            do {
                try await Self.killRelayAndConsume(outbox: outbox, inbox: inbox)
            } catch {
                await outbox.tearDown()
                throw error
            }
            await outbox.tearDown()
        }
    }

    private static func killRelayAndConsume(outbox: OutboxFixture, inbox: InboxFixture) async throws {
        let total = 5_000, batch = 200
        for start in stride(from: 0, to: total, by: 500) {
            try await outbox.append((start..<start + 500).map(Self.event))
        }
        let sentAtKill = try await relayBlockedOnMarkingSent(outbox: outbox, lockedRow: 1_500, batch: batch)
        #expect(sentAtKill == 1_400, "expected the 7 batches before the locked row's batch marked sent")

        let second = try RuntimeWorker(["relay", "--schema", outbox.schema, "--batch", "\(batch)"])
        try await waitUntil("the restarted relay to publish the rest", timeout: .seconds(60)) {
            try second.requireRunning()
            return try await outbox.count(OutboxFixture.unsent) == 0
        }
        try await second.stop()
        try await second.waitForExit()
        #expect(second.exitedCleanly, "the restarted relay did not shut down gracefully")

        let messages = try await outbox.consume(count: total)
        let ids = Set(messages.compactMap(\.eventID))
        #expect(ids == Set(try await outbox.rowsInSeqOrder().map(\.id)))
        let duplicates = messages.count - ids.count
        print("relay crash: killed with \(sentAtKill) of \(total) rows marked sent; "
              + "the topic holds \(messages.count) messages, \(duplicates) duplicates")
        // The killed batch was delivered but not marked, so it was published again.
        #expect(duplicates >= batch)

        let consumer = inbox.consumer(TestHandler())
        try await running(consumer) {
            try await waitUntil("every message on the topic consumed", timeout: .seconds(60)) {
                consumer.statistics.applied + consumer.statistics.duplicates >= messages.count
            }
        }
        #expect(consumer.statistics.applied == total)
        #expect(consumer.statistics.duplicates == duplicates)
        #expect(try await inbox.count("SELECT count(*) FROM effects") == total)
        #expect(try await inbox.count("SELECT count(DISTINCT event_id) FROM effects") == total)
        #expect(try await inbox.count("SELECT count(*) FROM inbox") == total)
        try await InboxConsumerTests.expectAppliedInKeyOrder(inbox)
    }

    /// Runs a relay worker until its mark-sent DELETE waits for a lock the test holds on the outbox
    /// row at position `lockedRow` (its batch is then on the topic), SIGKILLs it, waits for the
    /// server to end its session, and releases the lock. Returns how many rows were marked sent.
    private static func relayBlockedOnMarkingSent(
        outbox: OutboxFixture, lockedRow: Int, batch: Int
    ) async throws -> Int {
        let blocker = try PostgresConnection(configuration: outbox.database)
        defer { blocker.close() }
        try blocker.executeScript("BEGIN")
        // (FOR UPDATE beside OFFSET would lock every skipped row too.)
        _ = try blocker.query(
            "SELECT 1 FROM outbox_unsent WHERE seq = (SELECT seq FROM outbox_unsent ORDER BY seq OFFSET $1 LIMIT 1) FOR UPDATE",
            [lockedRow])

        let name = RuntimeWorker.applicationName(mode: "relay", schema: outbox.schema)
        let sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(name)'"
        // The relay's session ends as soon as the server notices the client is gone.
        let url = try #require(ProcessInfo.processInfo.environment["RESSUS_DATABASE_URL"])
        let checkingURL = url + (url.contains("?") ? "&" : "?") + "options=-c%20client_connection_check_interval%3D100"
        let relay = try RuntimeWorker(["relay", "--schema", outbox.schema, "--batch", "\(batch)"],
                                      environment: ["RESSUS_DATABASE_URL": checkingURL])
        try await waitUntil("the relay's mark-sent DELETE to wait for the test's lock", timeout: .seconds(60)) {
            try relay.requireRunning()
            return try await outbox.pool.count(sessions + " AND wait_event_type = 'Lock'") == 1
        }
        relay.crash()
        try await relay.waitForExit()
        #expect(relay.wasKilled, "the relay was not ended by SIGKILL")
        try await waitUntil("the killed relay's session to end", timeout: .seconds(20)) {
            try await outbox.pool.count(sessions) == 0
        }
        try blocker.executeScript("ROLLBACK")
        return try await outbox.count(OutboxFixture.sent)
    }
}
