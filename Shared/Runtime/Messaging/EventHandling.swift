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
}
