import Foundation
import Kafka
import Logging
import Models
import Postgres
import Runtime

/// A service's real input path for hostile messages: a private topic on the shared broker, a real
/// ``InboxConsumer`` running `handler` over `database`, and the topic's `.DLT` read back.
public enum DeadLetterProbe {
    /// Fast retries: a poison event reaches the DLT in well under a second.
    public static let options = InboxConsumerOptions(maxAttempts: 3, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50))

    /// What the consumer did and what its DLT holds.
    public struct Outcome: Sendable {
        public let statistics: InboxConsumerStatistics
        public let deadLetters: [DeadLetterEntry]
    }

    /// Produces `messages(topic)` in order to a fresh one-partition topic, runs the consumer until
    /// `done(statistics)` holds (at most 60 s), stops it and lists the DLT; both topics are deleted.
    public static func run(handler: any EventHandler, database: PostgresPool, clock: any BusinessClock,
                           messages: (String) -> [OutgoingMessage],
                           until done: @escaping @Sendable (InboxConsumerStatistics) -> Bool) async throws -> Outcome {
        let logger = Logger(label: "dead-letter-probe") { _ in SwiftLogNoOpLogHandler() }
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topic = "hostile-input-\(suffix)"
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "hostile-input-\(suffix)")
        let admin = try KafkaAdmin(config: kafka, logger: logger)
        try await admin.createTopics([TopicSpec(name: topic, partitions: 1)])
        do {
            let producer = try KafkaProducer(config: kafka, logger: logger)
            for result in await producer.sendBatch(messages(topic)) { _ = try result.get() }
            await producer.close()
            let consumer = InboxConsumer(name: "hostile-input-\(suffix)", topics: [topic], handler: handler, database: database,
                                         kafka: kafka, clock: clock, options: options, logger: logger)
            let task = Task { try await consumer.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while !done(consumer.statistics), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            task.cancel()
            _ = try? await task.value
            let entries = try await DeadLetters.list(topic: topic, kafka: kafka, logger: logger)
            try? await admin.deleteTopics([topic, DeadLetterMessage.topic(for: topic)])
            return Outcome(statistics: consumer.statistics, deadLetters: entries)
        } catch {
            try? await admin.deleteTopics([topic, DeadLetterMessage.topic(for: topic)])
            throw error
        }
    }

    /// `event` as the outbox relay publishes it (CloudEvents headers, JSON payload).
    public static func message(_ event: EventEnvelope, topic: String) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: event.partitionKey, value: Array(event.payload),
                        headers: CloudEventHeaders.encode(event).map { KafkaHeader(name: $0.name, value: $0.value) })
    }

    /// `event`'s headers with another payload (e.g. a JSON of the wrong shape, or not JSON at all).
    public static func message(_ event: EventEnvelope, topic: String, payload: [UInt8]) -> OutgoingMessage {
        var message = message(event, topic: topic)
        message.value = payload
        return message
    }
}
