import Foundation
import Models
import Postgres

/// What a handler may touch while it applies one event: the transaction's connection (the
/// service's own schema), the outbox of that same transaction, and the business time.
public struct HandlerContext {
    /// The connection, inside the consumer's transaction. Do not COMMIT or ROLLBACK here.
    public let connection: PostgresConnection
    /// Appends events that commit together with the handler's state change.
    public let outbox: OutboxWriter
    /// "Now" on the business clock when the batch began.
    public let now: Date

    public init(connection: PostgresConnection, outbox: OutboxWriter, now: Date) {
        self.connection = connection
        self.outbox = outbox
        self.now = now
    }
}

/// Applies events of some types to a service's state. Called inside a database transaction that
/// also records the event in the inbox, so a redelivered event is never applied twice. A thrown
/// error undoes only this event's work; the event is retried and, after the configured attempts,
/// dead-lettered.
public protocol EventHandler: Sendable {
    /// The event types (name and version) this handler accepts; others are acknowledged and skipped.
    var acceptedTypes: Set<EventType> { get }
    func handle(_ event: EventEnvelope, context: HandlerContext) throws
    /// Applies several events, in order, in one go (the consumer's batch fast path). Throwing
    /// undoes the work of the whole call; the consumer then applies those events one by one with
    /// `handle`, so the failing one is retried and dead-lettered alone. The default calls `handle`
    /// for each; override it only to do the same work with fewer statements (e.g. one multi-row
    /// INSERT), with exactly the effect of calling `handle` on each event in order.
    func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws
}

extension EventHandler {
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        for event in events { try handle(event, context: context) }
    }
}
