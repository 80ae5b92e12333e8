import Foundation
import Postgres

/// Scheduling and cancelling many items in one statement each (a handler's batch fast path): the
/// same effect as calling ``ScheduledWork/schedule(kind:key:dueAt:payloadJSON:on:)`` or
/// ``ScheduledWork/cancel(kind:key:on:)`` for each item in order.
extension ScheduledWork {
    /// One item to schedule.
    public struct Item: Sendable, Hashable {
        public var kind: String
        public var key: String
        public var dueAt: Date
        public var payloadJSON: String

        public init(kind: String, key: String, dueAt: Date, payloadJSON: String = "{}") {
            self.kind = kind
            self.key = key
            self.dueAt = dueAt
            self.payloadJSON = payloadJSON
        }
    }

    /// Schedules every item (rescheduling existing keys exactly like `schedule`; a key given twice
    /// ends with its last due time and payload, as in calling `schedule` in order), in the
    /// transaction open on `connection`. Returns how many items were created or rescheduled.
    @discardableResult
    public static func schedule(_ items: [Item], on connection: PostgresConnection) throws -> Int {
        // ON CONFLICT DO UPDATE may touch a row once per statement: a key given twice keeps the
        // place of its first occurrence (its row's id order) and the due time and payload of its last.
        let kept = items.lastPerKey { $0.kind + "\u{0}" + $0.key }
        guard !kept.isEmpty else { return 0 }
        return try connection.execute(upsertMany, [
            kept.map(\.kind), kept.map(\.key), kept.map { String(format: "%.6f", $0.dueAt.timeIntervalSince1970) },
            kept.map(\.payloadJSON)])
    }

    /// Cancels the pending (or failed) items of `keys`; returns how many were cancelled.
    @discardableResult
    public static func cancel(_ keys: [(kind: String, key: String)], on connection: PostgresConnection) throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try connection.execute(cancelMany, [keys.map(\.kind), keys.map(\.key)])
    }

    static let upsertMany = PostgresStatement("""
        INSERT INTO scheduled_work (kind, work_key, due_at, payload)
        SELECT w.kind, w.work_key, to_timestamp(w.due::double precision), w.payload::jsonb
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS w(kind, work_key, due, payload, position)
        ORDER BY w.position
        ON CONFLICT (kind, work_key) DO UPDATE
            SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload, status = 'pending',
                attempts = 0, last_error = NULL, retry_at = NULL, failed_at = NULL
            WHERE scheduled_work.status <> 'done'
        """)

    static let cancelMany = PostgresStatement("""
        UPDATE scheduled_work SET status = 'cancelled', retry_at = NULL
        FROM unnest($1::text[], $2::text[]) AS c(kind, work_key)
        WHERE scheduled_work.kind = c.kind AND scheduled_work.work_key = c.work_key
            AND scheduled_work.status IN ('pending', 'failed')
        """)
}
