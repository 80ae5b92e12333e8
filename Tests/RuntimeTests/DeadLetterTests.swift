import Foundation
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// Poison events, undecodable messages and redrive, against real PostgreSQL and Tansu.
@Suite struct DeadLetterTests {
    static let fastRetries = InboxConsumerOptions(maxAttempts: 3, initialBackoff: .milliseconds(10),
                                                  maximumBackoff: .milliseconds(50))

    /// (b): an event the handler always rejects is dead-lettered after the configured attempts,
    /// with the `dlt_*` headers; the events after it (same key) are applied, in order.
    @Test func poisonEventIsDeadLetteredAndTheRestApplied() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<20).map { InboxFixture.event(key: "k", sequence: $0) }
            let poison = events[5]
            try await fixture.produce(events.map(fixture.message))

            let consumer = fixture.consumer(TestHandler(poisoned: [poison.id]), options: Self.fastRetries)
            try await running(consumer) {
                try await waitUntil("19 applied, 1 dead-lettered") {
                    consumer.statistics.applied >= 19 && consumer.statistics.deadLettered >= 1
                }
            }
            #expect(consumer.statistics.failedAttempts == 3)
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 19)
            #expect(try await fixture.count("SELECT count(*) FROM effects WHERE event_id = '\(poison.id)'") == 0)
            #expect(try await fixture.count(
                "SELECT attempts FROM handler_attempts WHERE event_id = '\(poison.id)'") == 3)
            #expect(try await fixture.count(
                "SELECT count(*) FROM inbox WHERE event_id = '\(poison.id)' AND outcome = 'dead_lettered'") == 1)
            try await InboxConsumerTests.expectAppliedInKeyOrder(fixture)

            let entries = try await DeadLetters.list(topic: fixture.topic, kafka: fixture.kafka, logger: quietLogger)
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry.topic == fixture.topic + ".DLT")
            #expect(entry.eventID == poison.id)
            #expect(entry.eventType == InboxFixture.eventType.description)
            #expect(entry.error.contains("poisoned event \(poison.id.uuidString.lowercased())"))
            #expect(entry.sourceTopic == fixture.topic)
            #expect(entry.sourcePartition == 0)
            #expect(entry.sourceOffset == 5)
            #expect(entry.attempts == 3)
            #expect(entry.consumer == fixture.consumerName)
            #expect(entry.time != nil)
            #expect(entry.key == Array("k".utf8))
            #expect(entry.value == Array(poison.payload))
            let original = CloudEventHeaders.encode(poison).map { KafkaHeader(name: $0.name, value: $0.value) }
            #expect(entry.originalHeaders == original)

            // The operator's view: `ressus dlt listar`.
            let result = try await ChildProcess.run("ressus", ["dlt", "listar", "--topico", fixture.topic])
            let listing = (status: result.status, output: result.output + result.error)
            #expect(listing.status == 0, "output: \(listing.output)")
            #expect(listing.output.contains("1 mensagem(ns) em \(fixture.topic).DLT"))
            #expect(listing.output.contains(poison.id.uuidString.lowercased()))
            #expect(listing.output.contains("\(fixture.topic)[0]@5"))
            #expect(listing.output.contains("poisoned event"))
        }
    }

    /// (c): a message without a CloudEvents envelope goes to the DLT at once (no attempts), is
    /// recorded under its synthetic id, and the next event is applied.
    @Test func undecodableMessageIsDeadLetteredImmediately() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let garbage = OutgoingMessage(topic: fixture.topic, key: "k", value: Array("not an event".utf8),
                                          headers: [KafkaHeader(name: "ce_type", string: "garbage")])
            var badJSON = fixture.message(InboxFixture.event(key: "k", sequence: 1))
            badJSON.value = Array("{not json".utf8)
            let good = InboxFixture.event(key: "k", sequence: 2)
            try await fixture.produce([garbage, badJSON, fixture.message(good)])

            let consumer = fixture.consumer(TestHandler(), options: Self.fastRetries)
            try await running(consumer) {
                try await waitUntil("2 dead-lettered, 1 applied") {
                    consumer.statistics.deadLettered >= 2 && consumer.statistics.applied >= 1
                }
            }
            #expect(consumer.statistics.failedAttempts == 0)
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 1)
            let synthetic = DeadLetterMessage.syntheticEventID(topic: fixture.topic, partition: 0, offset: 0)
            #expect(try await fixture.count(
                "SELECT count(*) FROM inbox WHERE event_id = '\(synthetic)' AND outcome = 'dead_lettered' AND event_type = 'garbage'") == 1)

            let entries = try await DeadLetters.list(topic: fixture.topic, kafka: fixture.kafka, logger: quietLogger)
            #expect(entries.map(\.sourceOffset) == [0, 1])
            #expect(entries.map(\.attempts) == [0, 0])
            #expect(entries.allSatisfy { !$0.decodable && !$0.error.isEmpty })
            #expect(entries.first?.eventID == nil)
            #expect(entries.first?.value == Array("not an event".utf8))
            #expect(entries.first?.inboxID == synthetic)
            // Redriving "all" leaves undecodable messages alone: they would fail the same way.
            let redriven = try await DeadLetters.redrive(
                topic: fixture.topic, consumer: fixture.consumerName, eventIDs: nil,
                database: fixture.database, kafka: fixture.kafka, logger: quietLogger)
            #expect(redriven.isEmpty)
        }
    }

    /// (f): after the handler is fixed, redriving the dead-lettered event applies it exactly once;
    /// the listing shows it as redriven, and redriving "all" again republishes nothing.
    @Test func redriveAppliesTheFixedEventOnce() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<5).map { InboxFixture.event(key: "k", sequence: $0) }
            let poison = events[2]
            try await fixture.produce(events.map(fixture.message))
            let handler = TestHandler(poisoned: [poison.id])
            let consumer = fixture.consumer(handler, options: Self.fastRetries)
            try await running(consumer) {
                try await waitUntil("4 applied, 1 dead-lettered") {
                    consumer.statistics.applied >= 4 && consumer.statistics.deadLettered >= 1
                }
                handler.cure()
                let redriven = try await DeadLetters.redrive(
                    topic: fixture.topic, consumer: fixture.consumerName, eventIDs: [poison.id],
                    database: fixture.database, kafka: fixture.kafka, logger: quietLogger)
                #expect(redriven.map(\.eventID) == [poison.id])
                try await waitUntil("the redriven event applied") { consumer.statistics.applied >= 5 }
            }
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 5)
            #expect(try await fixture.count("SELECT count(*) FROM effects WHERE event_id = '\(poison.id)'") == 1)
            #expect(try await fixture.count(
                "SELECT count(*) FROM inbox WHERE event_id = '\(poison.id)' AND outcome = 'applied'") == 1)
            #expect(try await fixture.count("SELECT count(*) FROM handler_attempts") == 0)

            let entries = try await DeadLetters.list(topic: fixture.topic, kafka: fixture.kafka,
                                                     redrives: fixture.database, logger: quietLogger)
            #expect(entries.count == 1)
            #expect(entries.first?.redrivenAt != nil)
            let again = try await DeadLetters.redrive(
                topic: fixture.topic, consumer: fixture.consumerName, eventIDs: nil,
                database: fixture.database, kafka: fixture.kafka, logger: quietLogger)
            #expect(again.isEmpty)
        }
    }

    /// Graceful shutdown while a failed event waits for its retry: the wait is cut short, the
    /// events before it stay committed, and the failed one is left for the next run.
    @Test func shutdownDuringRetryBackoffReturnsPromptly() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<6).map { InboxFixture.event(key: "k", sequence: $0) }
            try await fixture.produce(events.map(fixture.message))
            let slowRetries = InboxConsumerOptions(initialBackoff: .seconds(60), maximumBackoff: .seconds(60))
            let consumer = fixture.consumer(TestHandler(poisoned: [events[3].id]), options: slowRetries)
            var stopped = ContinuousClock.now
            try await running(consumer) {
                try await waitUntil("the first failure") { consumer.statistics.failedAttempts >= 1 }
                stopped = ContinuousClock.now
            }
            #expect(ContinuousClock.now - stopped < .seconds(15), "shutdown waited for the 60 s backoff")
            #expect(consumer.statistics.applied == 3)
            #expect(consumer.statistics.deadLettered == 0)
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 3)
            #expect(try await fixture.count("SELECT attempts FROM handler_attempts WHERE event_id = '\(events[3].id)'") == 1)
        }
    }

    @Test func syntheticIDsAreDeterministicAndDistinct() {
        let a = DeadLetterMessage.syntheticEventID(topic: "t", partition: 1, offset: 42)
        #expect(a == DeadLetterMessage.syntheticEventID(topic: "t", partition: 1, offset: 42))
        #expect(a != DeadLetterMessage.syntheticEventID(topic: "t", partition: 1, offset: 43))
        #expect(a != DeadLetterMessage.syntheticEventID(topic: "t", partition: 2, offset: 42))
        #expect(a != DeadLetterMessage.syntheticEventID(topic: "u", partition: 1, offset: 42))
        #expect(a.uuidString.lowercased().dropFirst(14).first == "8")  // version 8
    }
}
