import Foundation

/// A domain event as it travels between services: CloudEvents attributes plus a JSON payload.
public struct EventEnvelope: Sendable, Equatable {
    /// Unique id of this event (CloudEvents `id`); the inbox deduplicates on it.
    public var id: UUID
    public var type: EventType
    /// The emitting service, e.g. `/ressus/debt-calculator` (CloudEvents `source`).
    public var source: String
    /// When the event happened, on the business clock (CloudEvents `time`).
    public var time: Date
    /// The aggregate whose order matters, e.g. the operadora's registro ANS; the Kafka message key.
    public var partitionKey: String
    /// The event that caused this one, if any.
    public var causationId: UUID?
    /// The first event of the chain this one belongs to, if any.
    public var correlationId: UUID?
    /// The JSON-encoded payload.
    public var payload: Data

    public init(
        id: UUID = UUID(), type: EventType, source: String, time: Date, partitionKey: String,
        causationId: UUID? = nil, correlationId: UUID? = nil, payload: Data
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.time = time
        self.partitionKey = partitionKey
        self.causationId = causationId
        self.correlationId = correlationId
        self.payload = payload
    }
}

/// A Swift type that is the payload of one event type and version.
public protocol DomainEvent: Codable, Sendable {
    /// The type and version this payload is written as.
    static var eventType: EventType { get }
    /// The partition key for this event (usually the operadora's registro ANS).
    var partitionKey: String { get }
}

/// Why an envelope could not be turned into a typed event.
public enum EventDecodingError: Error, Equatable, CustomStringConvertible {
    case unexpectedType(expected: String, actual: String)
    case unsupportedVersion(type: String, version: Int, supported: Int)
    case malformedPayload(type: String, reason: String)
    case missingAttribute(String)
    case invalidAttribute(name: String, value: String)

    public var description: String {
        switch self {
        case .unexpectedType(let expected, let actual): "expected event type \(expected), got \(actual)"
        case .unsupportedVersion(let type, let version, let supported):
            "event \(type) version \(version) is newer than the supported version \(supported)"
        case .malformedPayload(let type, let reason): "malformed payload for \(type): \(reason)"
        case .missingAttribute(let name): "missing CloudEvents attribute \(name)"
        case .invalidAttribute(let name, let value): "invalid CloudEvents attribute \(name): '\(value)'"
        }
    }
}

extension EventEnvelope {
    /// Wraps a typed event, encoding its payload as JSON.
    public static func wrapping<E: DomainEvent>(
        _ event: E, source: String, time: Date, id: UUID = UUID(),
        causationId: UUID? = nil, correlationId: UUID? = nil
    ) throws -> EventEnvelope {
        EventEnvelope(
            id: id, type: E.eventType, source: source, time: time, partitionKey: event.partitionKey,
            causationId: causationId, correlationId: correlationId, payload: try EventJSON.encode(event)
        )
    }

    /// Decodes the payload as `E`. A different type, or a version other than the one `E` is written
    /// as, is an explicit error (a newer version is never guessed at).
    public func decode<E: DomainEvent>(_: E.Type) throws -> E {
        guard type.name == E.eventType.name else {
            throw EventDecodingError.unexpectedType(expected: E.eventType.description, actual: type.description)
        }
        guard type.version == E.eventType.version else {
            throw EventDecodingError.unsupportedVersion(
                type: type.name, version: type.version, supported: E.eventType.version)
        }
        do {
            return try EventJSON.decode(E.self, from: payload)
        } catch {
            throw EventDecodingError.malformedPayload(type: type.description, reason: String(describing: error))
        }
    }
}

/// The JSON coders every event uses: sorted keys, ISO 8601 dates.
public enum EventJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
