import Foundation
import Kafka
import Logging
import Models

/// One event read from the clock topic.
public enum ClockEvent: Sendable, Equatable {
    case advanced(ClockAdvanced)
    case acknowledged(ClockAcknowledged)
}

/// Reads the clock topic from the beginning with a consumer group of its own (a fresh group id, so
/// every follower sees every event; nothing is committed).
public final class ClockTopicFollower: Sendable {
    private let consumer: KafkaConsumer
    private let logger: Logger
    public let topic: String

    /// Joins a new group `<groupPrefix>-<random>` on `topic` (created if missing, one partition).
    public init(kafka: KafkaConfig, topic: String = ClockTopic.name, groupPrefix: String,
                logger: Logger = Logger(label: "ressus.clock")) async throws {
        try await ClockTopic.ensureExists(kafka: kafka, topic: topic, logger: logger)
        let group = "\(groupPrefix)-\(UUID().uuidString.prefix(8).lowercased())"
        consumer = try KafkaConsumer(config: kafka, groupID: group, topics: [topic], logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// The clock events that arrive within `timeout` (possibly none). Messages that are not clock
    /// events, or cannot be decoded, are logged and skipped.
    public func poll(timeout: Duration) async throws -> [ClockEvent] {
        try await consumer.poll(maxMessages: 500, timeout: timeout).compactMap(decode)
    }

    /// Every event up to the end of the topic: waits for the partition to be assigned, then reads
    /// until no message arrives for `idle`. Throws if not assigned within `timeout`.
    public func catchUp(idle: Duration = .milliseconds(1500), timeout: Duration = .seconds(30)) async throws -> [ClockEvent] {
        let deadline = ContinuousClock.now + timeout
        var events: [ClockEvent] = []
        while consumer.assignment.isEmpty {
            if ContinuousClock.now > deadline {
                throw ClockTopicError(message: "no partition of \(topic) assigned within \(timeout)")
            }
            events += try await poll(timeout: .milliseconds(200))
        }
        while true {
            let batch = try await poll(timeout: idle)
            if batch.isEmpty { return events }
            events += batch
        }
    }

    /// Leaves the group.
    public func close() async {
        try? await consumer.close()
    }

    private func decode(_ message: KafkaMessage) -> ClockEvent? {
        do {
            let envelope = try CloudEventHeaders.decode(
                headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
            switch envelope.type.name {
            case ClockAdvanced.eventType.name: return .advanced(try envelope.decode(ClockAdvanced.self))
            case ClockAcknowledged.eventType.name: return .acknowledged(try envelope.decode(ClockAcknowledged.self))
            default: return nil
            }
        } catch {
            logger.warning("skipping undecodable message on the clock topic", metadata: [
                "offset": "\(message.offset)", "error": "\(error)"])
            return nil
        }
    }
}

extension ClockTopic {
    /// Creates the clock topic (one partition) unless it exists.
    public static func ensureExists(kafka: KafkaConfig, topic: String = name, logger: Logger) async throws {
        try await KafkaAdmin(config: kafka, logger: logger).createTopics([TopicSpec(name: topic, partitions: 1)])
    }

    /// The Kafka message carrying `event` (CloudEvents binary mode).
    public static func message<E: DomainEvent>(_ event: E, source: String, time: Date, topic: String = name) throws -> OutgoingMessage {
        let envelope = try EventEnvelope.wrapping(event, source: source, time: time)
        return OutgoingMessage(
            topic: topic, key: envelope.partitionKey, value: Array(envelope.payload),
            headers: CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) },
            partition: 0)
    }

    /// Publishes `clock.advanced` to `instant`; returns once the broker has it.
    public static func publishAdvance(to instant: Date, kafka: KafkaConfig, topic: String = name, source: String,
                                      logger: Logger) async throws {
        try await ensureExists(kafka: kafka, topic: topic, logger: logger)
        let producer = try KafkaProducer(config: kafka, logger: logger)
        do {
            _ = try await producer.send(message(ClockAdvanced(instant: instant), source: source, time: instant, topic: topic))
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
    }
}

/// The clock topic could not be read as expected.
public struct ClockTopicError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
