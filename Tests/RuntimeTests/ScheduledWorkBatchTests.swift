import Foundation
import Postgres
import Runtime
import TestSupport
import Testing

/// `ScheduledWork.schedule(_:on:)` and `cancel(_:on:)` (one statement each) against the per-item
/// calls: the same rows on two schemas.
@Suite struct ScheduledWorkBatchTests {
    static let start = ISO8601DateFormatter().date(from: "2026-01-02T12:00:00Z")!

    /// Every item's state, in id order.
    static func rows(_ pool: PostgresPool) async throws -> [String] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT kind || '|' || work_key || '|' || extract(epoch FROM due_at)::text || '|' || payload::text || '|'
                    || status || '|' || attempts::text FROM scheduled_work ORDER BY id
                """).map { try $0.decode(String.self, at: 0) }
        }
    }

    /// The items before the batch: a/1 fired, a/2 pending, b/1 cancelled, c/1 pending.
    static func prepare(_ connection: PostgresConnection) throws {
        for (kind, key) in [("a", "1"), ("a", "2"), ("b", "1"), ("c", "1")] {
            try ScheduledWork.schedule(kind: kind, key: key, dueAt: Self.start, on: connection)
        }
        _ = try connection.execute("UPDATE scheduled_work SET status = 'done' WHERE kind = 'a' AND work_key = '1'")
        try ScheduledWork.cancel(kind: "b", key: "1", on: connection)
    }

    @Test func aBatchDoesWhatTheItemsDoOneByOne() async throws {
        // a/1 fired already (never re-armed), a/2 pending (rescheduled), b/1 cancelled (re-armed),
        // a/3 new and given twice in the batch (the last wins), b/2 new.
        let items = [
            ScheduledWork.Item(kind: "a", key: "1", dueAt: Self.start.addingTimeInterval(10), payloadJSON: "{\"n\": 1}"),
            ScheduledWork.Item(kind: "a", key: "3", dueAt: Self.start.addingTimeInterval(30)),
            ScheduledWork.Item(kind: "a", key: "2", dueAt: Self.start.addingTimeInterval(20.5)),
            ScheduledWork.Item(kind: "b", key: "1", dueAt: Self.start.addingTimeInterval(40), payloadJSON: "{\"n\": 2}"),
            ScheduledWork.Item(kind: "a", key: "3", dueAt: Self.start.addingTimeInterval(31), payloadJSON: "{\"n\": 3}"),
            ScheduledWork.Item(kind: "b", key: "2", dueAt: Self.start.addingTimeInterval(50)),
        ]
        let cancels: [(kind: String, key: String)] = [("c", "1"), ("a", "1"), ("x", "9")]
        let oneByOne = try await SchedulerTestSchema.withSchema { pool, _ in
            try await pool.withTransaction { connection in
                try Self.prepare(connection)
                for item in items {
                    try ScheduledWork.schedule(kind: item.kind, key: item.key, dueAt: item.dueAt, payloadJSON: item.payloadJSON,
                                               on: connection)
                }
                for (kind, key) in cancels { try ScheduledWork.cancel(kind: kind, key: key, on: connection) }
            }
            return try await Self.rows(pool)
        }
        let batched = try await SchedulerTestSchema.withSchema { pool, _ in
            let counts = try await pool.withTransaction { connection in
                try Self.prepare(connection)
                return (try ScheduledWork.schedule(items, on: connection), try ScheduledWork.cancel(cancels, on: connection))
            }
            // 5 distinct keys, a/1 already fired; only c/1 was pending among the cancelled.
            #expect(counts.0 == 4)
            #expect(counts.1 == 1)
            return try await Self.rows(pool)
        }
        #expect(batched.count == 6)
        #expect(batched == oneByOne)
        #expect(batched.contains { $0.hasPrefix("a|3|") && $0.contains("{\"n\": 3}") && $0.hasSuffix("|pending|0") })
        #expect(try await SchedulerTestSchema.withSchema { pool, _ in
            try await pool.withTransaction { try ScheduledWork.schedule([], on: $0) + ScheduledWork.cancel([], on: $0) }
        } == 0)
    }
}
