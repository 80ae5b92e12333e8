import Foundation
import Models
import Postgres

/// Writes events to the service's transactional outbox, on the caller's connection and inside the
/// caller's transaction: the events are published (by the outbox relay) only if that transaction
/// commits.
public struct OutboxWriter {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Appends `envelope`, to be published on `topic` keyed by its partition key.
    public func append(_ envelope: EventEnvelope, topic: String) throws {
        try connection.execute(
            Self.insert,
            [envelope.id, topic, envelope.partitionKey, envelope.type.description,
             PostgresJSON(try Self.headersJSON(envelope)), Array(envelope.payload)])
    }

    /// Appends several envelopes in one statement (one round trip), in order: each gets its seq
    /// as if appended one by one, so the relay publishes them in this order per key.
    public func append(contentsOf events: [(envelope: EventEnvelope, topic: String)]) throws {
        guard !events.isEmpty else { return }
        var ids: [String] = [], topics: [String] = [], keys: [String] = []
        var types: [String] = [], headers: [String] = [], payloads: [String] = []
        for (envelope, topic) in events {
            ids.append(envelope.id.uuidString)
            topics.append(topic)
            keys.append(envelope.partitionKey)
            types.append(envelope.type.description)
            headers.append(try Self.headersJSON(envelope))
            payloads.append(Self.byteaHex(envelope.payload))
        }
        try connection.execute(Self.insertMany, [ids, topics, keys, types, headers, payloads])
    }

    /// The stored CloudEvents headers: a JSON array of one-entry objects, in header order.
    static func headersJSON(_ envelope: EventEnvelope) throws -> String {
        let headers = CloudEventHeaders.encode(envelope).map { [$0.name: String(decoding: $0.value, as: UTF8.self)] }
        return String(decoding: try JSONSerialization.data(withJSONObject: headers, options: [.sortedKeys]), as: UTF8.self)
    }

    /// `bytes` in bytea's hex input format (`\x0a1b...`), to travel in a text array.
    static func byteaHex(_ bytes: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Wraps a typed event in an envelope and appends it; returns the envelope.
    @discardableResult
    public func append<E: DomainEvent>(
        _ event: E, topic: String, source: String, time: Date,
        causedBy cause: EventEnvelope? = nil
    ) throws -> EventEnvelope {
        let envelope = try EventEnvelope.wrapping(
            event, source: source, time: time,
            causationId: cause?.id, correlationId: cause.map { $0.correlationId ?? $0.id })
        try append(envelope, topic: topic)
        return envelope
    }

    static let insert = PostgresStatement("""
        INSERT INTO outbox (event_id, topic, partition_key, event_type, headers, payload)
        VALUES ($1, $2, $3, $4, $5, $6)
        """)
    /// Rows in array order (`WITH ORDINALITY` ... `ORDER BY`): the seq trigger (migration 10)
    /// fires per row in that order.
    static let insertMany = PostgresStatement("""
        INSERT INTO outbox (event_id, topic, partition_key, event_type, headers, payload)
        SELECT e.id::uuid, e.topic, e.key, e.type, e.headers::jsonb, e.payload::bytea
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            WITH ORDINALITY AS e(id, topic, key, type, headers, payload, position)
        ORDER BY e.position
        """)
}
