import Foundation
import Kafka

/// How a message that could not be processed is written to its dead-letter topic (`<topic>.DLT`):
/// the original key, value and headers, followed by `dlt_*` headers describing the failure.
public enum DeadLetterMessage {
    /// The dead-letter topic of `topic`.
    public static func topic(for topic: String) -> String { topic + suffix }
    public static let suffix = ".DLT"

    /// Header names added to a dead-lettered message.
    public enum Header {
        public static let error = "dlt_error"
        public static let sourceTopic = "dlt_source_topic"
        public static let sourcePartition = "dlt_source_partition"
        public static let sourceOffset = "dlt_source_offset"
        public static let attempts = "dlt_attempts"
        public static let consumer = "dlt_consumer"
        /// ISO 8601 wall-clock time the message was dead-lettered.
        public static let time = "dlt_time"
        /// Every `dlt_*` header starts with this; redrive strips them.
        public static let prefix = "dlt_"
    }

    /// The dead-letter copy of `message`. `attempts` is 0 for a message that could not be decoded
    /// (it was never handed to the handler).
    public static func make(from message: KafkaMessage, error: String, attempts: Int, consumer: String,
                            time: Date = Date()) -> OutgoingMessage {
        var headers = message.headers
        headers.append(KafkaHeader(name: Header.error, string: error))
        headers.append(KafkaHeader(name: Header.sourceTopic, string: message.topic))
        headers.append(KafkaHeader(name: Header.sourcePartition, string: String(message.partition)))
        headers.append(KafkaHeader(name: Header.sourceOffset, string: String(message.offset)))
        headers.append(KafkaHeader(name: Header.attempts, string: String(attempts)))
        headers.append(KafkaHeader(name: Header.consumer, string: consumer))
        headers.append(KafkaHeader(name: Header.time, string: timeFormatter.string(from: time)))
        return OutgoingMessage(topic: topic(for: message.topic), key: message.key, value: message.value, headers: headers)
    }

    /// The original headers of a dead-lettered message (its `dlt_*` headers removed).
    public static func originalHeaders(of headers: [KafkaHeader]) -> [KafkaHeader] {
        headers.filter { !$0.name.hasPrefix(Header.prefix) }
    }

    /// The inbox id of a message that has no usable event id (it could not be decoded): a
    /// deterministic UUID (version 8, "custom", RFC 9562 §5.8) made of a 64-bit FNV-1a hash of the
    /// topic name (bytes 0-7, version nibble overwritten), the partition (14 bits after the
    /// variant) and the offset (48 bits, bytes 10-15). The same message always gets the same id, so
    /// a redelivered undecodable message is recognised by the inbox like any other.
    public static func syntheticEventID(topic: String, partition: Int32, offset: Int64) -> UUID {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in topic.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 { bytes[index] = UInt8(truncatingIfNeeded: hash >> (56 - 8 * UInt64(index))) }
        bytes[6] = 0x80 | (bytes[6] & 0x0f)  // version 8
        let part = UInt16(truncatingIfNeeded: partition) & 0x3fff
        bytes[8] = 0x80 | UInt8(part >> 8)  // variant 10xx
        bytes[9] = UInt8(truncatingIfNeeded: part)
        let low = UInt64(bitPattern: offset) & 0xffff_ffff_ffff
        for index in 0..<6 { bytes[10 + index] = UInt8(truncatingIfNeeded: low >> (40 - 8 * UInt64(index))) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    // ISO8601DateFormatter is thread-safe once configured.
    nonisolated(unsafe) static let timeFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
