import Foundation
import Kafka
import Models
import Postgres
import Runtime
import ServiceLifecycle
import TestSupport
import Testing

/// A private Tansu broker stopped and started again empty (memory storage: topics, records and
/// committed offsets gone, new cluster id) while an outbox relay publishes to an inbox consumer,
/// with the real PostgreSQL: the services' recovery from a broker that lost its data.
@Suite("Broker data loss", .serialized)
struct BrokerLossTests {
    @Test("after a broker restart that lost everything, the relay recreates the topics and republishes its outbox, the consumer starts over: every event applied exactly once")
    func relayAndConsumerRecover() async throws {
        try await PrivateBroker.with { broker in try await relayAndConsumerRecover(broker) }
    }

    private func relayAndConsumerRecover(_ broker: PrivateBroker) async throws {
        let shared = try await InboxFixture.make()
        // The topic is one of the services' topics, which the recovery recreates with its partition count.
        let topic = Topics.fns
        let kafka = KafkaConfig(bootstrapServers: broker.address, clientID: "broker-loss-tests")
        let fixture = InboxFixture(schema: shared.schema, topic: topic.name, consumerName: shared.consumerName,
                                   database: shared.database, kafka: kafka)
        try? await KafkaAdmin(config: shared.kafka, logger: quietLogger).deleteTopics([shared.topic])
        try await fixture.run { fixture in
            try await KafkaAdmin(config: kafka, logger: quietLogger)
                .createTopics([TopicSpec(name: topic.name, partitions: topic.partitions)])
            let relay = OutboxRelay(service: "broker-loss-tests", database: fixture.database.configuration, kafka: kafka,
                                    options: .testing, logger: quietLogger)
            let consumer = fixture.consumer(TestHandler())
            let group = ServiceGroup(services: [relay, consumer], logger: quietLogger)
            let task = Task { try await group.run() }
            defer { Task { await group.triggerGracefulShutdown() } }

            try await append(fixture, keys: 3, perKey: 10, from: 0)
            try await waitUntil("the first 30 events applied", timeout: .seconds(60)) {
                try await fixture.count("SELECT count(*)::int FROM effects") == 30
            }
            let before = try await KafkaAdmin(config: kafka, logger: quietLogger).clusterID()

            try await broker.stop()
            try await append(fixture, keys: 3, perKey: 10, from: 10)  // written while the broker is down
            try await broker.startAgain()
            try await append(fixture, keys: 3, perKey: 10, from: 20)  // written after it came back

            try await waitUntil("all 90 events applied after the broker came back", timeout: .seconds(90)) {
                try await fixture.count("SELECT count(*)::int FROM effects") == 90
            }
            let after = try await KafkaAdmin(config: kafka, logger: quietLogger).clusterID()
            #expect(before != nil && after != nil && before != after, "each start is a new cluster")
            // The relay noticed, marked the 30 rows sent before the loss (at least) pending again.
            #expect(relay.statistics.brokerRecoveries == 1)
            #expect(relay.statistics.replayed >= 30)
            // The consumer started over from the beginning of the new topic: the replayed events it had
            // applied came again and its inbox absorbed them.
            try await waitUntil("the replayed events absorbed as duplicates", timeout: .seconds(30)) {
                consumer.statistics.duplicates >= 30
            }
            #expect(consumer.statistics.brokerRecoveries == 1)
            #expect(try await fixture.count("SELECT count(DISTINCT event_id)::int FROM effects") == 90)
            #expect(try await fixture.count("SELECT count(*)::int FROM effects") == 90, "nothing applied twice")
            // In order per key: each key's sequence numbers were applied ascending.
            #expect(try await fixture.count("""
                SELECT count(*)::int FROM (
                    SELECT sequence < lag(sequence) OVER (PARTITION BY partition_key ORDER BY seq) AS backwards FROM effects
                ) s WHERE backwards
                """) == 0)
            let topics = try await KafkaAdmin(config: kafka, logger: quietLogger).listTopics()
            for definition in Topics.all { #expect(topics[definition.name] == definition.partitions, "\(definition.name)") }
            #expect(try await fixture.count("SELECT count(*)::int FROM outbox_unsent") == 0)

            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    @Test("a relay started after the broker lost its data finds the other cluster id recorded in its schema and republishes the outbox")
    func relayStartedAfterTheLossRepublishes() async throws {
        try await PrivateBroker.with { broker in try await relayStartedAfterTheLossRepublishes(broker) }
    }

    private func relayStartedAfterTheLossRepublishes(_ broker: PrivateBroker) async throws {
        let base = try await OutboxFixture.make(createTopic: false)
        let kafka = KafkaConfig(bootstrapServers: broker.address, clientID: "broker-loss-tests")
        let fixture = OutboxFixture(schema: base.schema, topic: Topics.fns.name, database: base.database,
                                    pool: base.pool, kafka: kafka)
        defer { Task { await fixture.tearDown() } }
        try await KafkaAdmin(config: kafka, logger: quietLogger)
            .createTopics([TopicSpec(name: Topics.fns.name, partitions: Topics.fns.partitions)])
        try await fixture.append((0..<10).map { OutboxFixture.envelope(key: "key-\($0 % 3)", index: $0) })

        let first = fixture.relay()
        try await running(first) {
            try await waitUntil("the first relay published everything") { try await fixture.count(OutboxFixture.unsent) == 0 }
        }
        #expect(first.statistics.brokerRecoveries == 0)

        try await broker.stop()
        try await broker.startAgain()
        let second = fixture.relay()
        let received = try await running(second) {
            try await waitUntil("the second relay republished") { second.statistics.published == 10 }
            return try await fixture.consume(count: 10)
        }
        #expect(second.statistics.brokerRecoveries == 1)
        #expect(second.statistics.replayed == 10)
        #expect(Set(received.compactMap(\.eventID)).count == 10)
        #expect(received.count == 10)
    }

    @Test("ressus relogio avancar waiting for a service publishes its advance again when the broker lost it, and the service confirms on the new cluster")
    func clockAdvanceSurvivesTheLoss() async throws {
        try await PrivateBroker.with { broker in try await clockAdvanceSurvivesTheLoss(broker) }
    }

    private func clockAdvanceSurvivesTheLoss(_ broker: PrivateBroker) async throws {
        let kafka = KafkaConfig(bootstrapServers: broker.address, clientID: "broker-loss-tests")
        var environment = ProcessInfo.processInfo.environment
        environment["RESSUS_KAFKA_BROKERS"] = broker.address
        // Waits for "late", which starts only after the broker came back: the advance published
        // before the loss is gone, so only publishing it again can reach that service.
        let command = try ChildProcess(
            "ressus", arguments: ["relogio", "avancar", "--para", "2026-03-16T10:30", "--aguardar", "late", "--tempo-limite", "90"],
            environment: environment)
        try await waitUntil("the advance was published") { command.output.text.contains("Relógio avançado para") }
        try await Task.sleep(for: .seconds(2))  // the command's watch has seen the first cluster
        try await broker.stop()
        try await broker.startAgain()
        try await waitUntil("the command noticed the new cluster", timeout: .seconds(60)) {
            command.output.text.contains("o broker perdeu os dados")
        }
        let clock = SimulatedClock(startingAt: ClockSyncTests.start)
        let running = RunningServices([
            ClockSync(clock: clock, kafka: kafka, serviceName: "late", instanceID: "l1", scheduler: nil)])
        let status = try await command.waitForExit(timeout: .seconds(120))
        try await running.stop()
        #expect(status == 0, "\(command.output.text)")
        #expect(command.output.text.contains("✓ late confirmou (instância l1)"), "\(command.output.text)")
        #expect(clock.now == ISO8601DateFormatter().date(from: "2026-03-16T13:30:00Z")!)
    }

    /// Appends `perKey` events for each of `keys` keys to the outbox, with sequences from `from`.
    private func append(_ fixture: InboxFixture, keys: Int, perKey: Int, from: Int) async throws {
        let topic = fixture.topic
        try await fixture.database.withTransaction { connection in
            let writer = OutboxWriter(connection: connection)
            for sequence in from..<(from + perKey) {
                for key in 0..<keys {
                    try writer.append(InboxFixture.event(key: "key-\(key)", sequence: sequence), topic: topic)
                }
            }
        }
    }
}
