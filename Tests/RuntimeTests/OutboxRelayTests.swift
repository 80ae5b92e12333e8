import Foundation
import Kafka
import Logging
import MetricsTestKit
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// Port 1 on loopback: nothing listens there, so every connection is refused.
let unreachableBroker = KafkaConfig(bootstrapServers: "127.0.0.1:1", clientID: "outbox-tests-down")

/// The outbox relay against the real PostgreSQL and broker.
@Suite struct OutboxRelayTests {
    /// 20 keys × 200 events, written by 8 concurrent writers (transactions of 10 or 20 events over
    /// 10 or 20 keys, row by row or at once) while the relay runs: per key, the topic has the events in seq (commit) order, each once.
    @Test func publishesEachEventOnceInSeqOrderPerKey() async throws {
        let fixture = try await OutboxFixture.make(partitions: 4, poolSize: 8)
        defer { Task { await fixture.tearDown() } }
        let metrics = TestMetrics()
        let relay = fixture.relay(metricsFactory: metrics)
        let services = RunningServices([relay])

        let keys = (0..<20).map { "operadora-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    // Even writers append row by row (the seq trigger takes each key's lock); odd
                    // ones 20 events at once (COPY after taking their keys' locks).
                    let size = writer % 2 == 0 ? 10 : 20
                    for transaction in 0..<500 / size {
                        let first = writer * 500 + transaction * size
                        let envelopes = (first..<first + size).map { OutboxFixture.envelope(key: keys[$0 % 20], index: $0) }
                        if size == 10 {
                            try await fixture.append(envelopes)
                        } else {
                            try await fixture.appendAtOnce(envelopes)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let allSent = try await eventually(within: .seconds(60)) { try await fixture.count(OutboxFixture.unsent) == 0 }
        #expect(allSent)
        try await services.stop()

        let rows = try await fixture.rowsInSeqOrder()
        #expect(rows.count == 4_000)
        let messages = try await fixture.consume(count: 4_000)
        #expect(messages.count == 4_000)
        let ids = messages.compactMap(\.eventID)
        #expect(ids.count == 4_000)
        #expect(Set(ids) == Set(rows.map(\.id)))

        var expected: [String: [UUID]] = [:]
        for row in rows { expected[row.key, default: []].append(row.id) }
        var published: [String: [UUID]] = [:]
        for message in messages {
            published[try #require(message.keyString), default: []].append(try #require(message.eventID))
        }
        #expect(published.count == 20)
        for key in keys {
            #expect(expected[key]?.count == 200)
            #expect(published[key] == expected[key], "key \(key) out of seq order")
        }
        // Value and headers are the stored payload and CloudEvents headers.
        let sample = try #require(messages.first)
        let envelope = try CloudEventHeaders.decode(
            headers: sample.headers.map { ($0.name, $0.value) }, key: sample.key, value: sample.value)
        #expect(envelope.type == .ressus("test.outbox-relay", version: 1))
        #expect(envelope.id == sample.eventID)
        #expect(String(decoding: envelope.payload, as: UTF8.self).contains("\"key\":\"\(envelope.partitionKey)\""))
        #expect(try metrics.expectCounter(RuntimeMetrics.eventsProduced, [("service", "outbox-tests"), ("topic", fixture.topic)]).totalValue == 4_000)
        #expect(try metrics.expectGauge(RuntimeMetrics.outboxBacklog, [("service", "outbox-tests")]).lastValue == 0)
        #expect(relay.statistics.published == 4_000)
    }

    /// With the broker unreachable the batch waits (no message timeout), nothing is marked sent,
    /// the outage is logged once, and shutdown abandons the batch within its grace; a relay that
    /// reaches the broker then publishes everything in order.
    @Test func brokerDownMarksNothingAndResumesInOrder() async throws {
        let fixture = try await OutboxFixture.make(partitions: 1)
        defer { Task { await fixture.tearDown() } }
        let envelopes = (0..<50).map { OutboxFixture.envelope(key: "k\($0 % 5)", index: $0) }
        try await fixture.append(envelopes)

        let capture = LogCapture(level: .info)
        let down = fixture.relay(kafka: unreachableBroker, logger: capture.logger)
        let downServices = RunningServices([down])
        try await Task.sleep(for: .seconds(3))
        let clock = ContinuousClock()
        let stopStarted = clock.now
        try await downServices.stop()
        let stopTook = clock.now - stopStarted

        #expect(try await fixture.count(OutboxFixture.sent) == 0)
        #expect(down.statistics.published == 0)
        // Grace 1 s + close flush 2 s, well inside a service's 15 s shutdown bound.
        #expect(stopTook < .seconds(8), "shutdown took \(stopTook)")
        let warnings = capture.messages(at: .warning)
        #expect(warnings.filter { $0.contains("waiting for the broker") }.count == 1, "\(warnings)")
        #expect(warnings.filter { $0.contains("publishing failed") }.isEmpty, "\(warnings)")

        let services = RunningServices([fixture.relay()])
        let allSent = try await eventually { try await fixture.count(OutboxFixture.unsent) == 0 }
        #expect(allSent)
        try await services.stop()
        let messages = try await fixture.consume(count: 50)
        #expect(messages.compactMap(\.eventID) == envelopes.map(\.id))
    }

    /// With a finite delivery timeout, failed rounds back off and the outage is logged once.
    @Test func finiteDeliveryTimeoutBacksOff() async throws {
        let fixture = try await OutboxFixture.make(createTopic: false)
        defer { Task { await fixture.tearDown() } }
        try await fixture.append((0..<10).map { OutboxFixture.envelope(key: "k", index: $0) })
        var options = OutboxRelay.Options.testing
        options.deliveryTimeout = .milliseconds(300)
        options.stallWarning = .seconds(30)
        options.initialBackoff = .milliseconds(400)
        options.maximumBackoff = .seconds(4)
        let capture = LogCapture(level: .info)
        let relay = fixture.relay(kafka: unreachableBroker, options: options, logger: capture.logger)
        let services = RunningServices([relay])
        try await Task.sleep(for: .seconds(5))
        try await services.stop()

        #expect(try await fixture.count(OutboxFixture.sent) == 0)
        let failed = relay.statistics.failedRounds
        // Without backoff (a 400 ms pause after each ~300 ms timeout) there would be about 7.
        #expect((2...5).contains(failed), "failed rounds: \(failed)")
        #expect(capture.messages(at: .warning).filter { $0.contains("publishing failed") }.count == 1)
        // The first round sends all ten rows; later rounds probe the failing key with its oldest row.
        #expect(relay.statistics.produced == 10 + (failed - 1))
    }

    /// Two relays on one schema: only one publishes; every event appears once.
    @Test func onlyOneRelayPublishesPerSchema() async throws {
        let fixture = try await OutboxFixture.make(partitions: 2)
        defer { Task { await fixture.tearDown() } }
        let first = fixture.relay(), second = fixture.relay()
        let services = RunningServices([first, second])
        var ids: [UUID] = []
        for batch in 0..<10 {
            let envelopes = (0..<100).map { OutboxFixture.envelope(key: "k\($0 % 7)", index: batch * 100 + $0) }
            ids += envelopes.map(\.id)
            try await fixture.append(envelopes)
            try await Task.sleep(for: .milliseconds(30))
        }
        let allSent = try await eventually { try await fixture.count(OutboxFixture.unsent) == 0 }
        #expect(allSent)
        try await services.stop()

        let published = [first.statistics.published, second.statistics.published]
        #expect(published.filter { $0 > 0 }.count == 1, "published per relay: \(published)")
        #expect(published.reduce(0, +) == 1_000)
        let messages = try await fixture.consume(count: 1_000)
        #expect(messages.count == 1_000)
        #expect(Set(messages.compactMap(\.eventID)) == Set(ids))
    }

    /// If the active relay's lock connection drops, it stops publishing and the standby takes over
    /// (or it takes the lock back): events written afterwards are still published.
    @Test func lockConnectionLossHandsOver() async throws {
        let fixture = try await OutboxFixture.make(partitions: 1)
        defer { Task { await fixture.tearDown() } }
        var firstDatabase = fixture.database
        firstDatabase.applicationName = "outbox-relay-a-\(fixture.schema)"
        let first = OutboxRelay(service: "outbox-tests", database: firstDatabase, kafka: fixture.kafka,
                                options: .testing, logger: quietOutboxLogger)
        let firstServices = RunningServices([first])
        try await fixture.append([OutboxFixture.envelope(key: "k", index: 0)])
        #expect(try await eventually { first.statistics.published == 1 })
        let second = fixture.relay()
        let secondServices = RunningServices([second])
        try await Task.sleep(for: .milliseconds(500))
        #expect(second.statistics.activations == 0)

        let name = firstDatabase.applicationName!
        let terminated = try await fixture.pool.withConnection {
            // pg_terminate_backend only in the select list: it must run for the filtered rows only.
            try $0.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [name])
                .filter { try $0.decode(Bool.self, at: 0) }.count
        }
        #expect(terminated == 1)
        let later = (1..<20).map { OutboxFixture.envelope(key: "k", index: $0) }
        try await fixture.append(later)
        let allSent = try await eventually { try await fixture.count(OutboxFixture.unsent) == 0 }
        #expect(allSent)
        // Counted before stopping: the standby may take the lock while the active one stops.
        let activations = first.statistics.activations + second.statistics.activations
        try await firstServices.stop()
        try await secondServices.stop()
        #expect(first.statistics.published + second.statistics.published == 20)
        // Whichever relay took over, one of them re-acquired the lock after the drop.
        #expect(activations == 2)
    }

    /// After graceful shutdown, what the topic holds is exactly what is marked sent.
    @Test func gracefulShutdownLeavesNothingPublishedButUnmarked() async throws {
        let fixture = try await OutboxFixture.make(partitions: 3)
        defer { Task { await fixture.tearDown() } }
        for chunk in 0..<6 {
            try await fixture.append((0..<1_000).map { OutboxFixture.envelope(key: "k\($0 % 11)", index: chunk * 1_000 + $0) })
        }
        var options = OutboxRelay.Options.testing
        options.batchSize = 100
        let services = RunningServices([fixture.relay(options: options)])
        #expect(try await eventually { try await fixture.count(OutboxFixture.sent) >= 300 })
        try await services.stop()

        let marked = try await fixture.rowsInSeqOrder().filter(\.sent).map(\.id)
        #expect(marked.count < 6_000, "shutdown came after everything was published: nothing was in flight")
        let messages = try await fixture.consume(count: marked.count, settle: .seconds(3))
        #expect(messages.count == marked.count, "on topic \(messages.count), marked \(marked.count) of 6000")
        #expect(Set(messages.compactMap(\.eventID)) == Set(marked))
    }
}
