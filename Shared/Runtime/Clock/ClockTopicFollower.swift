import Foundation
import Kafka
import Logging
import Models

/// One event read from the clock topic.
public enum ClockEvent: Sendable, Equatable {
    case advanced(ClockAdvanced)
    case acknowledged(ClockAcknowledged)
}

/// Reads the clock topic (one partition) from the beginning, assigned directly under a fresh
/// group id: no group join to wait for, and every follower sees every event (nothing is committed).
public final class ClockTopicFollower: Sendable {
    private let consumer: KafkaConsumer
    private let logger: Logger
    public let topic: String

    /// Starts reading `topic` (created if missing, one partition) at its first offset, under the
    /// group id `<groupPrefix>-<random>`.
    public init(kafka: KafkaConfig, topic: String = ClockTopic.name, groupPrefix: String,
                logger: Logger = Logger(label: "ressus.clock")) async throws {
        try await ClockTopic.ensureExists(kafka: kafka, topic: topic, logger: logger)
        let group = "\(groupPrefix)-\(UUID().uuidString.prefix(8).lowercased())"
        consumer = try KafkaConsumer(config: kafka, groupID: group, readingFromStart: [Self.partition(of: topic)], logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// The clock topic's only partition.
    static func partition(of topic: String) -> TopicPartition { TopicPartition(topic: topic, partition: 0) }

    /// The clock events that arrive within `timeout` (possibly none). Messages that are not clock
    /// events, or cannot be decoded, are logged and skipped.
    public func poll(timeout: Duration) async throws -> [ClockEvent] {
        try await consumer.poll(maxMessages: 500, timeout: timeout).compactMap(decode)
    }

    /// Every event up to the end of the topic as it was when called (its high watermark, asked of
    /// the broker): returns soon after the last one is read, not after the topic has been quiet
    /// for `idle` (which took a consumer group join and 1.5 s of every clock advance). Should the
    /// broker hold back messages below that end, it returns once nothing arrives for `idle`.
    /// Throws if the end is not known within `timeout`.
    ///
    /// Tansu reports as the end the first offset of the last record batch + 1, not the offset after
    /// its last record, so reaching the end only means the last batch has been fetched: what is
    /// already fetched is drained (`drainWait` per poll) before returning.
    public func catchUp(idle: Duration = .milliseconds(1500), timeout: Duration = .seconds(30),
                        drainWait: Duration = .milliseconds(50)) async throws -> [ClockEvent] {
        let end = try await endOffset(within: timeout)
        var events: [ClockEvent] = []
        var next: Int64 = 0
        while true {
            let messages = try await consumer.poll(maxMessages: 500, timeout: next < end ? idle : drainWait)
            if messages.isEmpty { return events }
            next = max(next, messages.map(\.offset).max()! + 1)
            events += messages.compactMap(decode)
        }
    }

    /// The partition's high watermark, asked again while the broker does not know the topic yet
    /// (just created) until `timeout` has passed.
    private func endOffset(within timeout: Duration) async throws -> Int64 {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try await consumer.watermarks(of: Self.partition(of: topic), timeout: .seconds(5)).high
            } catch let error as KafkaError where error.name != "CLOSED" && ContinuousClock.now < deadline {
                logger.debug("clock topic end not known yet", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Closes the consumer.
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
