import Foundation
import Kafka
import Models
import Postgres

/// One consumed message and the result of decoding its CloudEvents envelope.
struct InboxItem: Sendable {
    let message: KafkaMessage
    let event: Result<EventEnvelope, any Error>

    init(_ message: KafkaMessage) {
        self.message = message
        event = Result { try InboxItem.decode(message) }
    }

    /// The envelope of `message`: CloudEvents headers, and a payload that is JSON.
    static func decode(_ message: KafkaMessage) throws -> EventEnvelope {
        let envelope = try CloudEventHeaders.decode(
            headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
        guard JSONSyntax.isValid(envelope.payload) else {
            throw InvalidPayload(eventID: envelope.id, reason: "not one well-formed JSON value (RFC 8259)")
        }
        return envelope
    }

    /// The id the inbox records this message under (a synthetic one when it cannot be decoded).
    var inboxID: UUID {
        switch event {
        case .success(let envelope): return envelope.id
        case .failure: return DeadLetterMessage.syntheticEventID(
            topic: message.topic, partition: message.partition, offset: message.offset)
        }
    }

    /// True when the envelope decoded.
    var isDecoded: Bool {
        if case .success = event { return true }
        return false
    }

    /// The type the inbox records (the `ce_type` header as sent when the message cannot be decoded).
    var inboxType: String {
        switch event {
        case .success(let envelope): return envelope.type.description
        case .failure: return message.headerString("ce_type") ?? "undecodable"
        }
    }
}

/// The payload of an event is not JSON.
struct InvalidPayload: Error, CustomStringConvertible {
    let eventID: UUID
    let reason: String
    var description: String { "event \(eventID.uuidString.lowercased()): payload is not JSON: \(reason)" }
}

/// What happened to one event of a batch transaction.
enum InboxOutcome: Sendable {
    case applied, skipped, duplicate
}

/// The result of one batch transaction: the outcomes of the events it went through, in order, and
/// why it stopped early, if it did.
struct InboxBatchResult: Sendable {
    enum Stop: Sendable {
        /// The handler threw on the next event; its attempts so far (this one included).
        case handlerFailed(attempts: Int, error: String)
        /// The next event could not be decoded.
        case undecodable(error: String)
    }
    var outcomes: [InboxOutcome] = []
    var stop: Stop?
}

/// Applies events to a service's state inside one transaction (synchronous: runs on the
/// connection's thread). Records every event in the inbox with the effect, so a redelivered event
/// changes nothing; a handler failure undoes only that event's work and counts an attempt.
struct InboxApplier: Sendable {
    let consumer: String
    let handler: any EventHandler
    /// Whether runs of decodable events go through the batch fast path first (see
    /// `InboxApplier+Batch.swift`); false applies every event alone.
    var batched = true

    /// Goes through `items` in order until one fails or cannot be decoded; the caller commits.
    /// A thrown error means the transaction itself failed (it must be rolled back and retried).
    func apply(_ items: ArraySlice<InboxItem>, now: Date, on connection: PostgresConnection) throws -> InboxBatchResult {
        guard batched else { return try applyOneByOne(items, now: now, on: connection) }
        var result = InboxBatchResult()
        result.outcomes.reserveCapacity(items.count)
        var rest = items
        while !rest.isEmpty {
            let run = rest.prefix { $0.isDecoded }
            // An undecodable message (or a run whose batch savepoint failed) goes the per-event way.
            let outcomes = run.isEmpty ? nil : try applyAtOnce(run, now: now, on: connection)
            let done: Int
            if let outcomes {
                result.outcomes += outcomes
                done = run.count
            } else {
                let slow = try applyOneByOne(run.isEmpty ? rest.prefix(1) : run, now: now, on: connection)
                result.outcomes += slow.outcomes
                if let stop = slow.stop {
                    result.stop = stop
                    return result
                }
                done = max(run.count, 1)
            }
            rest = rest.dropFirst(done)
        }
        return result
    }

    /// The per-event path: each event recorded alone and applied in its own savepoint, stopping at
    /// the first that fails (its attempt counted) or cannot be decoded.
    func applyOneByOne(_ items: ArraySlice<InboxItem>, now: Date, on connection: PostgresConnection) throws -> InboxBatchResult {
        var result = InboxBatchResult()
        result.outcomes.reserveCapacity(items.count)
        let accepted = handler.acceptedTypes
        for item in items {
            let message = item.message
            guard case .success(let event) = item.event else {
                if try isRecorded(item.inboxID, on: connection) {
                    result.outcomes.append(.duplicate)  // dead-lettered before; redelivered
                    continue
                }
                if case .failure(let error) = item.event { result.stop = .undecodable(error: "\(error)") }
                return result
            }
            let handles = accepted.contains(event.type)
            let inserted = try connection.execute(Self.insertInbox, [
                consumer, event.id, event.type.description, handles ? "applied" : "skipped",
                message.topic, message.partition, message.offset,
            ])
            guard inserted == 1 else {
                result.outcomes.append(.duplicate)
                continue
            }
            guard handles else {
                result.outcomes.append(.skipped)
                continue
            }
            do {
                try connection.withSavepoint { connection in
                    try handler.handle(event, context: HandlerContext(
                        connection: connection, outbox: OutboxWriter(connection: connection), now: now))
                }
                result.outcomes.append(.applied)
            } catch {
                // A broken connection is the transaction's failure, not the handler's: retry the batch.
                if !connection.isConnected { throw error }
                try connection.execute(Self.deleteInbox, [consumer, event.id])
                let attempts = try recordAttempt(event.id, error: "\(error)", on: connection)
                result.stop = .handlerFailed(attempts: attempts, error: "\(error)")
                return result
            }
        }
        return result
    }

    /// Records in the inbox that `item` went to the dead-letter topic.
    func recordDeadLetter(_ item: InboxItem, on connection: PostgresConnection) throws {
        try connection.execute(Self.insertInbox, [
            consumer, item.inboxID, item.inboxType, "dead_lettered",
            item.message.topic, item.message.partition, item.message.offset,
        ])
    }

    private func isRecorded(_ id: UUID, on connection: PostgresConnection) throws -> Bool {
        try !connection.query(Self.selectInbox, [consumer, id]).isEmpty
    }

    private func recordAttempt(_ id: UUID, error: String, on connection: PostgresConnection) throws -> Int {
        let rows = try connection.query(Self.upsertAttempt, [consumer, id, error])
        return try rows[0].decode(Int.self, at: 0)
    }

    static let insertInbox = PostgresStatement("""
        INSERT INTO inbox (consumer, event_id, event_type, outcome, source_topic, source_partition, source_offset)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (consumer, event_id) DO NOTHING
        """)
    static let deleteInbox = PostgresStatement("DELETE FROM inbox WHERE consumer = $1 AND event_id = $2")
    static let selectInbox = PostgresStatement("SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2")
    static let upsertAttempt = PostgresStatement("""
        INSERT INTO handler_attempts (consumer, event_id, attempts, last_error) VALUES ($1, $2, 1, $3)
        ON CONFLICT (consumer, event_id) DO UPDATE
            SET attempts = handler_attempts.attempts + 1, last_error = EXCLUDED.last_error, updated_at = now()
        RETURNING attempts
        """)
}
