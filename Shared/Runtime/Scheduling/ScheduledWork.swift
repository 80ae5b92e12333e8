import Foundation
import Models
import Postgres

/// Durable, future-dated work in the service's own schema (table `scheduled_work`): deadlines are
/// rows, never in-memory timers (DESIGN.md, "Time"). Items are written inside the caller's
/// transaction, so scheduling commits (or rolls back) together with the state change that caused it;
/// a ``SchedulerWorker`` fires them once they are due on the business clock.
///
/// An item is identified by its kind and key. Scheduling an existing key **reschedules** it:
/// - pending, failed or cancelled: due time and payload are replaced and the item is pending again
///   (attempts reset), so replaying the event that scheduled it is harmless;
/// - done (already fired): nothing changes; the work happened and is never re-armed.
public enum ScheduledWork {
    /// What `schedule` did.
    public enum Outcome: Sendable, Equatable {
        /// A new item was created.
        case scheduled
        /// An existing, not yet fired item now has the given due time and payload.
        case rescheduled
        /// The item already fired; nothing changed.
        case alreadyFired
    }

    /// Schedules `kind`/`key` to fire at `dueAt` (business clock) with a JSON object as payload,
    /// in the transaction open on `connection`.
    @discardableResult
    public static func schedule(
        kind: String, key: String, dueAt: Date, payloadJSON: String = "{}", on connection: PostgresConnection
    ) throws -> Outcome {
        let rows = try connection.query(upsert, [kind, key, dueAt, PostgresJSON(payloadJSON)])
        guard let row = rows.first else { return .alreadyFired }
        return try row.decode(Bool.self, at: 0) ? .scheduled : .rescheduled
    }

    /// Schedules `kind`/`key` with an `Encodable` payload (encoded like event payloads: sorted keys,
    /// ISO 8601 dates).
    @discardableResult
    public static func schedule<Payload: Encodable>(
        kind: String, key: String, dueAt: Date, payload: Payload, on connection: PostgresConnection
    ) throws -> Outcome {
        let json = String(decoding: try EventJSON.encoder.encode(payload), as: UTF8.self)
        return try schedule(kind: kind, key: key, dueAt: dueAt, payloadJSON: json, on: connection)
    }

    /// Asks the scheduler workers of the connection's schema to look for due items now rather
    /// than at their next poll: for work scheduled due at once by another process (the operator
    /// CLI). Inside a transaction it reaches them when the transaction commits. Not for every
    /// schedule call: PostgreSQL serializes the commits of transactions that notify.
    public static func wakeWorkers(on connection: PostgresConnection) throws {
        _ = try connection.query("SELECT pg_notify(\(wakeChannelExpression), '')")
    }

    /// The notification channel of the connection's schema (`current_schema()`), within
    /// PostgreSQL's 63-byte limit on channel names, as SQL.
    static let wakeChannelExpression = "left('ressus_scheduler_' || coalesce(current_schema(), 'public'), 63)"

    /// The channel's name (``wakeChannelExpression`` on `connection`), for LISTEN.
    static func wakeChannel(on connection: PostgresConnection) throws -> String {
        guard let channel = try connection.query("SELECT \(wakeChannelExpression)").first
        else { throw PostgresError(kind: .misuse, message: "no current schema") }
        return try channel.decode(String.self, at: 0)
    }

    /// Cancels a pending (or failed) item. Returns false when there is none, or it already fired.
    /// If a worker is firing the item right now, this waits for it and then returns false.
    @discardableResult
    public static func cancel(kind: String, key: String, on connection: PostgresConnection) throws -> Bool {
        try connection.execute(cancelStatement, [kind, key]) > 0
    }

    /// The item's current state, or nil when it was never scheduled.
    public static func status(kind: String, key: String, on connection: PostgresConnection) throws -> ScheduledItem.Status? {
        let rows = try connection.query(statusStatement, [kind, key])
        return try rows.first.map { ScheduledItem.Status(rawValue: try $0.decode(String.self, at: 0)) ?? .pending }
    }

    static let upsert = PostgresStatement("""
        INSERT INTO scheduled_work (kind, work_key, due_at, payload) VALUES ($1, $2, $3, $4)
        ON CONFLICT (kind, work_key) DO UPDATE
            SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload, status = 'pending',
                attempts = 0, last_error = NULL, retry_at = NULL, failed_at = NULL
            WHERE scheduled_work.status <> 'done'
        RETURNING (xmax = 0) AS inserted
        """)

    static let cancelStatement = PostgresStatement("""
        UPDATE scheduled_work SET status = 'cancelled', retry_at = NULL
        WHERE kind = $1 AND work_key = $2 AND status IN ('pending', 'failed')
        """)

    static let statusStatement = PostgresStatement(
        "SELECT status FROM scheduled_work WHERE kind = $1 AND work_key = $2")
}

/// One claimed item, as a handler sees it.
public struct ScheduledItem: Sendable {
    public enum Status: String, Sendable {
        case pending, done, cancelled, failed
    }

    public let id: Int64
    public let kind: String
    public let key: String
    /// When it was due on the business clock. Deterministic under the simulated clock: prefer it
    /// over `HandlerContext.now` for timestamps that must be the same every run.
    public let dueAt: Date
    /// The JSON payload given when it was scheduled.
    public let payloadJSON: String
    /// Failed attempts before this one.
    public let attempts: Int

    /// Decodes the payload (event JSON conventions).
    public func payload<Payload: Decodable>(as type: Payload.Type) throws -> Payload {
        try EventJSON.decoder.decode(type, from: Data(payloadJSON.utf8))
    }
}

/// Does the work of one kind when an item of that kind is due. Runs synchronously inside the
/// worker's transaction: whatever it writes on `context.connection` (state, `context.outbox`
/// events, new scheduled work) commits together with marking the item done, so an item's effect
/// happens exactly once. Throwing undoes the item's work; it is retried later with backoff.
public protocol ScheduledWorkHandler: Sendable {
    /// The kind of item this handler fires.
    var kind: String { get }
    func fire(_ item: ScheduledItem, context: HandlerContext) throws
    /// Fires several items of this kind, in order, in one go (the worker's batch fast path).
    /// Throwing undoes the whole batch's work; the worker then fires the items one by one. The
    /// default calls `fire` for each; override it only to do the same work with fewer statements,
    /// with exactly the effect of calling `fire` on each item in order.
    func fireBatch(_ items: [ScheduledItem], context: HandlerContext) throws
}

extension ScheduledWorkHandler {
    public func fireBatch(_ items: [ScheduledItem], context: HandlerContext) throws {
        for item in items { try fire(item, context: context) }
    }
}

/// A handler given as closures: per item, per batch of items, or both.
public struct ScheduledWorkClosure: ScheduledWorkHandler {
    public let kind: String
    let single: @Sendable (ScheduledItem, HandlerContext) throws -> Void
    let batch: @Sendable ([ScheduledItem], HandlerContext) throws -> Void

    /// A handler that fires one item at a time.
    public init(kind: String, _ body: @escaping @Sendable (ScheduledItem, HandlerContext) throws -> Void) {
        self.kind = kind
        single = body
        batch = { items, context in
            for item in items { try body(item, context) }
        }
    }

    /// A handler that fires a batch at once (one item outside the fast path); `batch` must have
    /// the effect of firing the items one by one, in order.
    public init(kind: String, batch: @escaping @Sendable ([ScheduledItem], HandlerContext) throws -> Void) {
        self.kind = kind
        single = { item, context in try batch([item], context) }
        self.batch = batch
    }

    /// A handler with a per-item step (outside the fast path: retries, a failing batch) and a
    /// set-based `batch` with exactly the effect of `body` on each item in order.
    public init(kind: String, _ body: @escaping @Sendable (ScheduledItem, HandlerContext) throws -> Void,
                batch: @escaping @Sendable ([ScheduledItem], HandlerContext) throws -> Void) {
        self.kind = kind
        single = body
        self.batch = batch
    }

    public func fire(_ item: ScheduledItem, context: HandlerContext) throws { try single(item, context) }

    public func fireBatch(_ items: [ScheduledItem], context: HandlerContext) throws { try batch(items, context) }
}
