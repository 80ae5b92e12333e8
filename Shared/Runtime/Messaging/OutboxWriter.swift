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
        let headers = CloudEventHeaders.encode(envelope).map { [$0.name: String(decoding: $0.value, as: UTF8.self)] }
        let headersJSON = String(decoding: try JSONSerialization.data(withJSONObject: headers, options: [.sortedKeys]), as: UTF8.self)
        try connection.execute(
            Self.insert,
            [envelope.id, topic, envelope.partitionKey, envelope.type.description,
             PostgresJSON(headersJSON), Array(envelope.payload)])
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
}
