import Foundation
import Kafka
import Models
import Postgres
@testable import Runtime
import TestSupport
import Testing

/// The consumer's batch fast path (`InboxApplier.applyAtOnce`) against real PostgreSQL: what it
/// records and applies, and its fallback to the per-event path. The whole consumer (with Kafka
/// and dead letters) goes through the same code in InboxConsumerTests and DeadLetterTests.
@Suite struct InboxBatchApplyTests {
    /// `TestHandler`, counting the batches handed to `handleBatch` (it applies them with `handle`).
    final class BatchCountingHandler: EventHandler, @unchecked Sendable {
        let inner: TestHandler
        private let lock = NSLock()
        private var sizes: [Int] = []  // guarded by `lock`
        init(_ inner: TestHandler) { self.inner = inner }
        var acceptedTypes: Set<EventType> { inner.acceptedTypes }
        var batchSizes: [Int] { lock.withLock { sizes } }
        func handle(_ event: EventEnvelope, context: HandlerContext) throws { try inner.handle(event, context: context) }
        func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
            lock.withLock { sizes.append(events.count) }
            for event in events { try handle(event, context: context) }
        }
    }

    /// A consumed message carrying `event`, at `offset` of partition 0.
    static func item(_ event: EventEnvelope, offset: Int64, fixture: InboxFixture) -> InboxItem {
        let outgoing = fixture.message(event)
        return InboxItem(KafkaMessage(topic: fixture.topic, partition: 0, offset: offset, key: outgoing.key,
                                      value: outgoing.value, headers: outgoing.headers))
    }

    static func apply(_ items: [InboxItem], _ applier: InboxApplier, fixture: InboxFixture) async throws -> InboxBatchResult {
        try await fixture.database.withTransaction { try applier.apply(items[...], now: InboxFixture.businessNow, on: $0) }
    }

    static func outcomes(_ result: InboxBatchResult) -> [String] { result.outcomes.map { "\($0)" } }

    /// A batch mixing events applied before, new ones, a duplicate inside the batch and a type the
    /// handler does not accept: one `handleBatch` call with exactly the new events, in order.
    @Test func batchMixingDuplicatesAndNewEventsAppliesOnlyTheNewOnesAtOnce() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let handler = BatchCountingHandler(TestHandler())
            let applier = InboxApplier(consumer: fixture.consumerName, handler: handler)
            let events = (0..<20).map { InboxFixture.event(key: "k", sequence: $0) }
            let first = try await Self.apply(events[0..<10].enumerated().map {
                Self.item($1, offset: Int64($0), fixture: fixture) }, applier, fixture: fixture)
            #expect(Self.outcomes(first) == Array(repeating: "applied", count: 10))
            #expect(handler.batchSizes == [10])

            var other = InboxFixture.event(key: "k", sequence: 999)
            other.type = EventType.ressus("test.ignored", version: 1)
            let mixed = Array(events[5..<20]) + [events[12], other]
            let items = mixed.enumerated().map { Self.item($1, offset: Int64(5 + $0), fixture: fixture) }
            let second = try await Self.apply(items, applier, fixture: fixture)
            #expect(second.stop == nil)
            #expect(Self.outcomes(second) == Array(repeating: "duplicate", count: 5) + Array(repeating: "applied", count: 10)
                    + ["duplicate", "skipped"])
            #expect(handler.batchSizes == [10, 10])

            let again = try await Self.apply(items, applier, fixture: fixture)
            #expect(Self.outcomes(again) == Array(repeating: "duplicate", count: 17))
            #expect(handler.batchSizes == [10, 10])

            #expect(try await fixture.count("SELECT count(*) FROM effects") == 20)
            #expect(try await fixture.count("SELECT count(DISTINCT event_id) FROM effects") == 20)
            #expect(try await fixture.count("SELECT count(*) FROM inbox WHERE outcome = 'applied'") == 20)
            #expect(try await fixture.count("SELECT count(*) FROM inbox WHERE outcome = 'skipped'") == 1)
            #expect(try await fixture.count(
                "SELECT count(*) FROM inbox WHERE event_id = '\(events[12].id)' AND source_offset = 12") == 1)
            try await InboxConsumerTests.expectAppliedInKeyOrder(fixture)
        }
    }

    /// A poison event in the middle: the batch savepoint is rolled back, the per-event path applies
    /// the events before it, counts its attempt and stops there; once it is dead-lettered (as the
    /// consumer does after the last attempt) the rest goes through the fast path again. Every
    /// event but the poison one has exactly one effect.
    @Test func poisonEventInTheMiddleFallsBackToThePerEventPath() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<10).map { InboxFixture.event(key: "k", sequence: $0) }
            let poison = events[4]
            let handler = BatchCountingHandler(TestHandler(poisoned: [poison.id]))
            let applier = InboxApplier(consumer: fixture.consumerName, handler: handler)
            let items = events.enumerated().map { Self.item($1, offset: Int64($0), fixture: fixture) }

            let result = try await Self.apply(items, applier, fixture: fixture)
            #expect(Self.outcomes(result) == Array(repeating: "applied", count: 4))
            guard case .handlerFailed(let attempts, let error)? = result.stop else {
                Issue.record("expected a handler failure, got \(String(describing: result.stop))")
                return
            }
            #expect(attempts == 1)
            #expect(error.contains(poison.id.uuidString.lowercased()))
            #expect(handler.batchSizes == [10])  // tried at once, then event by event
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 4)
            #expect(try await fixture.count("SELECT count(*) FROM inbox") == 4)

            let retry = try await Self.apply(Array(items[4...]), applier, fixture: fixture)
            #expect(retry.outcomes.isEmpty)
            if case .handlerFailed(let attempts, _)? = retry.stop { #expect(attempts == 2) } else {
                Issue.record("expected a second handler failure")
            }
            try await fixture.database.withTransaction { try applier.recordDeadLetter(items[4], on: $0) }
            let rest = try await Self.apply(Array(items[4...]), applier, fixture: fixture)
            #expect(rest.stop == nil)
            #expect(Self.outcomes(rest) == ["duplicate"] + Array(repeating: "applied", count: 5))
            #expect(handler.batchSizes.last == 5)

            #expect(try await fixture.count("SELECT count(*) FROM effects") == 9)
            #expect(try await fixture.count("SELECT count(DISTINCT event_id) FROM effects") == 9)
            #expect(try await fixture.count("SELECT count(*) FROM effects WHERE event_id = '\(poison.id)'") == 0)
            #expect(try await fixture.count(
                "SELECT count(*) FROM inbox WHERE event_id = '\(poison.id)' AND outcome = 'dead_lettered'") == 1)
            #expect(try await fixture.count("SELECT attempts FROM handler_attempts WHERE event_id = '\(poison.id)'") == 2)
            try await InboxConsumerTests.expectAppliedInKeyOrder(fixture)
        }
    }

    /// An undecodable message ends the run before it: the events before it are applied at once,
    /// and the batch stops at it (the consumer dead-letters it).
    @Test func undecodableMessageEndsTheRunBeforeIt() async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let events = (0..<3).map { InboxFixture.event(key: "k", sequence: $0) }
            let handler = BatchCountingHandler(TestHandler())
            let applier = InboxApplier(consumer: fixture.consumerName, handler: handler)
            var items = events.enumerated().map { Self.item($1, offset: Int64($0), fixture: fixture) }
            items.append(InboxItem(KafkaMessage(topic: fixture.topic, partition: 0, offset: 3, key: nil, value: Array("x".utf8))))
            let result = try await Self.apply(items, applier, fixture: fixture)
            #expect(Self.outcomes(result) == ["applied", "applied", "applied"])
            guard case .undecodable? = result.stop else {
                Issue.record("expected the undecodable stop, got \(String(describing: result.stop))")
                return
            }
            #expect(handler.batchSizes == [3])
            #expect(try await fixture.count("SELECT count(*) FROM effects") == 3)
        }
    }
}

/// `OutboxWriter.append(contentsOf:)` against real PostgreSQL.
@Suite struct OutboxWriterBatchTests {
    /// Several events at once (one INSERT, or COPY from `OutboxWriter.copyFromEvents`) get seqs in
    /// the given order and exactly the headers and payload bytes `append(_:topic:)` stores.
    @Test(arguments: [3, 40]) func appendContentsOfStoresTheSameRowsInOrder(count: Int) async throws {
        try await InboxFixture.with(partitions: 1) { fixture in
            let payloads = [#"{"text":"ação \"citada\" \\ barra\t\n"}"#] + (1..<count).map { #"{"n":\#($0)}"# }
            let batch = payloads.enumerated().map { index, text in
                EventEnvelope(type: InboxFixture.eventType, source: index == 0 ? "outbox \"tests\" \\ \n\t ç/ü" : "outbox-tests", time: Date(),
                              partitionKey: index == 1 ? "b" : "a", payload: Data(text.utf8))
            }
            let single = EventEnvelope(type: InboxFixture.eventType, source: "outbox-tests", time: Date(),
                                       partitionKey: "a", payload: Data(#"{"n":3}"#.utf8))
            try await fixture.database.withTransaction { connection in
                let writer = OutboxWriter(connection: connection)
                try writer.append(contentsOf: batch.map { ($0, "topic-\($0.partitionKey)") })
                try writer.append(contentsOf: [])
                try writer.append(single, topic: "topic-a")
            }
            let rows = try await fixture.database.withConnection { connection in
                try connection.query("SELECT event_id, topic, partition_key, event_type, headers::text, payload FROM outbox ORDER BY seq")
                    .map { row in
                        (try row.decode(UUID.self, at: 0), try row.decode(String.self, at: 1), try row.decode(String.self, at: 2),
                         try row.decode(String.self, at: 3), try row.decode(String.self, at: 4), try row.decode([UInt8].self, at: 5))
                    }
            }
            let expected = batch + [single]
            #expect(rows.map { $0.0 } == expected.map(\.id))
            #expect(rows.map { $0.1 } == expected.map { "topic-\($0.partitionKey)" })
            #expect(rows.map { $0.2 } == expected.map(\.partitionKey))
            #expect(rows.map { $0.3 } == expected.map { $0.type.description })
            #expect(rows.map { $0.5 } == expected.map { Array($0.payload) })
            for (row, envelope) in zip(rows, expected) {
                let headers = OutboxRelayStore.parseHeaders(row.4)
                #expect(headers == CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) })
            }
        }
    }
}
