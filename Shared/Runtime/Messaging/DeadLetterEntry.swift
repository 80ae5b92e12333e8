import Foundation
import Kafka
import Models

/// One message found on a dead-letter topic, with what its `dlt_*` headers say about the failure.
public struct DeadLetterEntry: Sendable {
    /// The dead-letter topic and where the entry is on it.
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// The event's id and type, when its envelope can be decoded.
    public let eventID: UUID?
    public let eventType: String?
    public let error: String
    public let sourceTopic: String
    public let sourcePartition: Int32?
    public let sourceOffset: Int64?
    /// Handler attempts before it was dead-lettered (0: it could not be decoded).
    public let attempts: Int?
    /// The consumer that dead-lettered it.
    public let consumer: String?
    public let time: Date?
    /// The original message, as received by the consumer.
    public let key: [UInt8]?
    public let value: [UInt8]
    public let originalHeaders: [KafkaHeader]
    /// When it was last redriven by its consumer, if ever (from `dead_letter_redrives`).
    public internal(set) var redrivenAt: Date?
    /// Whether the original message decodes as an event (undecodable ones were never applied).
    public let decodable: Bool

    init(_ message: KafkaMessage) {
        topic = message.topic
        partition = message.partition
        offset = message.offset
        key = message.key
        value = message.value
        originalHeaders = DeadLetterMessage.originalHeaders(of: message.headers)
        let original = KafkaMessage(topic: message.topic, partition: message.partition, offset: message.offset,
                                    key: message.key, value: message.value, headers: originalHeaders)
        let envelope = try? InboxItem.decode(original)
        decodable = envelope != nil
        eventID = envelope?.id ?? message.headerString("ce_id").flatMap(UUID.init(uuidString:))
        eventType = envelope?.type.description ?? message.headerString("ce_type")
        typealias Header = DeadLetterMessage.Header
        error = message.headerString(Header.error) ?? ""
        sourceTopic = message.headerString(Header.sourceTopic)
            ?? String(message.topic.dropLast(message.topic.hasSuffix(DeadLetterMessage.suffix) ? DeadLetterMessage.suffix.count : 0))
        sourcePartition = message.headerString(Header.sourcePartition).flatMap { Int32($0) }
        sourceOffset = message.headerString(Header.sourceOffset).flatMap { Int64($0) }
        attempts = message.headerString(Header.attempts).flatMap { Int($0) }
        consumer = message.headerString(Header.consumer)
        time = message.headerString(Header.time).flatMap { DeadLetterMessage.timeFormatter.date(from: $0) }
    }

    /// The id the consumer's inbox recorded this entry under: the event id, or for a message that
    /// could not be decoded, the synthetic id of its source position.
    public var inboxID: UUID? {
        if let eventID, decodable { return eventID }
        guard let sourcePartition, let sourceOffset else { return nil }
        return DeadLetterMessage.syntheticEventID(topic: sourceTopic, partition: sourcePartition, offset: sourceOffset)
    }
}
