import Foundation
import Kafka
import MetricsTestKit
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The inbox consumer against real PostgreSQL and Tansu: exactly-once effect, ordering, offsets.
@Suite struct InboxConsumerTests {
    /// Rows of `effects` in apply order, checked to be in per-key sequence order.
    static func expectAppliedInKeyOrder(_ fixture: InboxFixture) async throws {
        let rows = try await fixture.database.withConnection { connection in
            try connection.query("SELECT partition_key, sequence FROM effects ORDER BY seq").map {
                (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1))
            }
        }
        var last: [String: Int] = [:]
        var outOfOrder = 0
        for (key, sequence) in rows {
            if let previous = last[key], previous >= sequence { outOfOrder += 1 }
            last[key] = sequence
        }
        #expect(outOfOrder == 0, "events applied out of per-key order")
    }

    /// (a) + (g): every event delivered twice has exactly one effect, applied in per-key order, and
    /// the events it emits are in the outbox once.
    @Test func redeliveredEventsHaveExactlyOneEffectInKeyOrder() async throws {
        try await InboxFixture.with(partitions: 3) { fixture in
            let keys = 20, total = 10_000
            let events = (0..<total).map { InboxFixture.event(key: "k\($0 % keys)", sequence: $0 / keys, emit: $0 % 10 == 0) }
            let messages = events.map(fixture.message)
            try await fixture.produce(messages)
            try await fixture.produce(messages)

            let consumer = fixture.consumer(TestHandler())
            try await running(consumer) {
                try await waitUntil("20,000 messages consumed") {
                    let stats = consumer.statistics
                    return stats.applied + stats.duplicates >= 2 * total
                }
            }
            #expect(try await fixture.count("SELECT count(*) FROM effects") == total)
            #expect(try await fixture.count("SELECT count(DISTINCT event_id) FROM effects") == total)
            #expect(try await fixture.count("SELECT count(*) FROM inbox WHERE outcome = 'applied'") == total)
            #expect(try await fixture.count("SELECT count(*) FROM outbox") == total / 10)
            #expect(consumer.statistics.applied == total)
            #expect(consumer.statistics.duplicates == total)
            #expect(consumer.statistics.deadLettered == 0)
            try await Self.expectAppliedInKeyOrder(fixture)
        }
    }

    /// (d): duplicates inside one batch are applied once; types the handler does not accept are
    /// recorded as skipped.
    @Test func duplicatesWithinOneBatchAreAppliedOnce() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<50).map { InboxFixture.event(key: "k", sequence: $0) }
            var other = InboxFixture.event(key: "k", sequence: 999)
            other.type = EventType.ressus("test.ignored", version: 1)
            let messages = events.flatMap { [fixture.message($0), fixture.message($0)] } + [fixture.message(other)]
            try await fixture.produce(messages)

            let metrics = TestMetrics()
            let consumer = fixture.consumer(TestHandler(), metrics: metrics)
            try await running(consumer) {
                try await waitUntil("101 messages consumed") {
                    let stats = consumer.statistics
                    return stats.applied + stats.duplicates + stats.skipped >= 101
                }
            }
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 50)
            #expect(try await fixture.count("SELECT count(*) FROM inbox WHERE outcome = 'skipped'") == 1)
            #expect(consumer.statistics.duplicates == 50)
            #expect(consumer.statistics.skipped == 1)
            try await Self.expectAppliedInKeyOrder(fixture)
            // The handler's "now" is the business clock's, not the wall clock's.
            #expect(try await fixture.count(
                "SELECT count(*) FROM effects WHERE applied_at = to_timestamp(\(Int(InboxFixture.businessNow.timeIntervalSince1970)))") == 50)
            let dimensions = [("consumer", fixture.consumerName), ("topic", fixture.topic)]
            #expect(try metrics.expectCounter(RuntimeMetrics.eventsConsumed, dimensions).totalValue == 50)
            #expect(try metrics.expectCounter(RuntimeMetrics.eventsDuplicate, dimensions).totalValue == 50)
            #expect(try !metrics.expectTimer(RuntimeMetrics.batchDuration, [("consumer", fixture.consumerName)]).values.isEmpty)
        }
    }

    /// (e): offsets are committed after processing: a new member of the group gets only what was
    /// produced afterwards.
    @Test func committedOffsetsAreNotDeliveredAgain() async throws {
        try await InboxFixture.with(partitions: 2) { fixture in
            try await fixture.produce((0..<100).map { fixture.message(InboxFixture.event(key: "k\($0 % 4)", sequence: $0 / 4)) })
            let consumer = fixture.consumer(TestHandler())
            try await running(consumer) {
                try await waitUntil("100 events applied") { consumer.statistics.applied >= 100 }
            }
            let later = InboxFixture.event(key: "k0", sequence: 1_000)
            try await fixture.produce([fixture.message(later)])

            let member = try KafkaConsumer(config: fixture.kafka, groupID: fixture.consumerName, topics: [fixture.topic],
                                           logger: quietLogger)
            var received: [KafkaMessage] = []
            let deadline = ContinuousClock.now + .seconds(30)
            var quietSince: ContinuousClock.Instant?
            while ContinuousClock.now < deadline {
                let batch = try await member.poll(maxMessages: 500, timeout: .milliseconds(250))
                received += batch
                if !received.isEmpty && batch.isEmpty {
                    let since = quietSince ?? ContinuousClock.now
                    quietSince = since
                    if ContinuousClock.now - since > .seconds(2) { break }
                }
            }
            try await member.close()
            #expect(received.count == 1)
            #expect(received.first?.headerString("ce_id") == later.id.uuidString.lowercased())
        }
    }

    /// A connection lost in the middle of a batch transaction: nothing of it is committed, no
    /// offsets move, and the batch is applied again (once) on a new connection.
    @Test func lostConnectionRetriesTheWholeBatch() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<10).map { InboxFixture.event(key: "k", sequence: $0) }
            try await fixture.produce(events.map(fixture.message))
            let consumer = fixture.consumer(
                TestHandler(killsConnection: [events[6].id]),
                options: InboxConsumerOptions(initialBackoff: .milliseconds(20)))
            try await running(consumer) {
                try await waitUntil("10 events applied") { consumer.statistics.applied >= 10 }
            }
            #expect(consumer.statistics.transactionFailures >= 1)
            #expect(consumer.statistics.failedAttempts == 0)
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 10)
            #expect(try await fixture.count("SELECT count(*) FROM handler_attempts") == 0)
            try await Self.expectAppliedInKeyOrder(fixture)
        }
    }

    /// Rebalance: a second instance joins mid-stream and takes partitions over; messages whose
    /// offsets the first had not committed are read again by the new owner and absorbed by the
    /// inbox, so every event still has exactly one effect, in per-key order.
    @Test func rebalanceMidStreamKeepsExactlyOneEffect() async throws {
        try await InboxFixture.with(partitions: 4) { fixture in
            let total = 4_000
            let events = (0..<total).map { InboxFixture.event(key: "k\($0 % 16)", sequence: $0 / 16) }
            try await fixture.produce(events.map(fixture.message))
            let small = InboxConsumerOptions(batchSize: 50)
            // 3 ms per event: one instance alone would need 12 s, so the second one joins mid-stream.
            let first = fixture.consumer(TestHandler(delay: .milliseconds(3)), options: small)
            let second = fixture.consumer(TestHandler(delay: .milliseconds(3)), options: small)
            try await running(first) {
                try await waitUntil("the first instance applying") { first.statistics.applied > 0 }
                try await running(second) {
                    try await waitUntil("every event recorded") {
                        try await fixture.count("SELECT count(*) FROM inbox") >= total
                    }
                }
            }
            #expect(second.statistics.applied + second.statistics.duplicates > 0, "the second instance got no partition")
            #expect(first.statistics.applied + second.statistics.applied == total)
            #expect(try await fixture.count("SELECT count(*) FROM effects") == total)
            #expect(try await fixture.count("SELECT count(DISTINCT event_id) FROM effects") == total)
            try await Self.expectAppliedInKeyOrder(fixture)
        }
    }
}
