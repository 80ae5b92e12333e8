import Foundation
import UUIDText

/// CloudEvents Kafka protocol binding, binary content mode: attributes travel as `ce_*` headers,
/// the payload as the message value (CloudEvents "Kafka Protocol Binding" v1.0, section 3.2).
public enum CloudEventHeaders {
    public static let specVersion = "1.0"
    public static let contentType = "application/json"

    /// The headers of `envelope`, in a stable order. `partitionkey` is the CloudEvents
    /// "Partitioning" extension; causation and correlation ids are ressus extensions.
    public static func encode(_ envelope: EventEnvelope) -> [(name: String, value: [UInt8])] {
        var headers: [(String, String)] = [
            ("ce_specversion", specVersion),
            ("ce_id", envelope.id.canonicalText),
            ("ce_type", envelope.type.description),
            ("ce_source", envelope.source),
            ("ce_time", RFC3339Time.format(envelope.time)),
            ("ce_partitionkey", envelope.partitionKey),
            ("content-type", contentType),
        ]
        if let causation = envelope.causationId { headers.append(("ce_causationid", causation.canonicalText)) }
        if let correlation = envelope.correlationId { headers.append(("ce_correlationid", correlation.canonicalText)) }
        return headers.map { (name: $0.0, value: Array($0.1.utf8)) }
    }

    /// Rebuilds the envelope from headers and value; `key` is the Kafka message key, used when the
    /// `ce_partitionkey` header is absent.
    public static func decode(
        headers: [(name: String, value: [UInt8])], key: [UInt8]?, value: [UInt8]
    ) throws -> EventEnvelope {
        var map: [String: String] = [:]
        for header in headers { map[header.name] = String(decoding: header.value, as: UTF8.self) }
        func required(_ name: String) throws -> String {
            guard let v = map[name] else { throw EventDecodingError.missingAttribute(name) }
            return v
        }
        let spec = try required("ce_specversion")
        guard spec == specVersion else { throw EventDecodingError.invalidAttribute(name: "ce_specversion", value: spec) }
        let idText = try required("ce_id")
        guard let id = UUID(canonicalText: idText) else { throw EventDecodingError.invalidAttribute(name: "ce_id", value: idText) }
        let typeText = try required("ce_type")
        guard let type = EventType(rendered: typeText) else {
            throw EventDecodingError.invalidAttribute(name: "ce_type", value: typeText)
        }
        let timeText = try required("ce_time")
        guard let time = RFC3339Time.parse(timeText) else {
            throw EventDecodingError.invalidAttribute(name: "ce_time", value: timeText)
        }
        if let contentType = map["content-type"], !contentType.hasPrefix(Self.contentType) {
            throw EventDecodingError.invalidAttribute(name: "content-type", value: contentType)
        }
        func optionalUUID(_ name: String) throws -> UUID? {
            guard let text = map[name] else { return nil }
            guard let uuid = UUID(canonicalText: text) else { throw EventDecodingError.invalidAttribute(name: name, value: text) }
            return uuid
        }
        let partitionKey = map["ce_partitionkey"] ?? key.map { String(decoding: $0, as: UTF8.self) }
        guard let partitionKey else { throw EventDecodingError.missingAttribute("ce_partitionkey") }
        return EventEnvelope(
            id: id, type: type, source: try required("ce_source"), time: time, partitionKey: partitionKey,
            causationId: try optionalUUID("ce_causationid"), correlationId: try optionalUUID("ce_correlationid"),
            payload: Data(value)
        )
    }
}
