import Foundation
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The scheduler's batch fast path (`SchedulerPolicy.fireBatchesAtOnce`): one savepoint, one outbox
/// INSERT and one "done" UPDATE per claimed batch must leave exactly what firing item by item leaves.
@Suite struct SchedulerBatchTests {
    static let start = ISO8601DateFormatter().date(from: "2026-03-02T12:00:00Z")!

    struct Fired: DomainEvent {
        static let eventType = EventType.ressus("test.scheduler.fired", version: 1)
        var key: String
        var part: Int
        var partitionKey: String { "p-\(key.utf8.reduce(0) { $0 &+ Int($1) } & 3)" }
    }

    /// Kind "a" records and emits one event; kind "b" records, emits two and, for every fifth
    /// item, schedules a follow-up due at once (fired in the same round).
    static let handlers: [any ScheduledWorkHandler] = [
        ScheduledWorkClosure(kind: "a") { item, context in
            try record(item, context)
            try context.outbox.append(Fired(key: item.key, part: 0), topic: "test.sched", source: "tests", time: item.dueAt)
        },
        ScheduledWorkClosure(kind: "b") { item, context in
            try record(item, context)
            try context.outbox.append(contentsOf: try (0..<2).map {
                (try EventEnvelope.wrapping(Fired(key: item.key, part: $0), source: "tests", time: item.dueAt), "test.sched")
            })
            if item.key.hasSuffix("0"), !item.key.hasPrefix("follow") {
                try ScheduledWork.schedule(kind: "a", key: "follow-\(item.key)", dueAt: item.dueAt, on: context.connection)
            }
        },
    ]

    static func record(_ item: ScheduledItem, _ context: HandlerContext) throws {
        _ = try context.connection.execute(
            "INSERT INTO fire_log (work_key, due_at, fired_now) VALUES ($1, $2, $3)", [item.key, item.dueAt, context.now])
    }

    /// What a round left: fire order, outbox rows in seq order (without the random event ids),
    /// and every item's state.
    static func effects(_ pool: PostgresPool) async throws -> [[String]] {
        try await pool.withConnection { connection in
            [try connection.query("SELECT work_key FROM fire_log ORDER BY seq").map { try $0.decode(String.self, at: 0) },
             try connection.query("SELECT partition_key, event_type, convert_from(payload, 'UTF8') FROM outbox ORDER BY seq")
                .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))" },
             try connection.query("SELECT work_key, status, attempts, fired_at FROM scheduled_work ORDER BY work_key")
                .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(Int.self, at: 2)) \(try $0.decode(Date?.self, at: 3).map { "\($0.timeIntervalSince1970)" } ?? "-")" }]
        }
    }

    /// 300 items of two kinds over 7 due times, fired in batches of 40, at once or one by one.
    static func fireAll(atOnce: Bool) async throws -> (SchedulerWorker.Report, [[String]]) {
        try await SchedulerTestSchema.withSchema { pool, _ in
            try await pool.withTransaction { connection in
                for index in 0..<300 {
                    try ScheduledWork.schedule(
                        kind: index % 3 == 0 ? "b" : "a", key: "item-\(index)",
                        dueAt: start.addingTimeInterval(Double((index * 37) % 7) * -600), on: connection)
                }
            }
            let worker = SchedulerWorker(
                database: pool, clock: SimulatedClock(startingAt: start), handlers: handlers,
                policy: SchedulerPolicy(batchSize: 40, fireBatchesAtOnce: atOnce), serviceName: "test")
            let report = try await worker.fireDue()
            return (report, try await effects(pool))
        }
    }

    @Test func firingAtOnceLeavesWhatFiringOneByOneLeaves() async throws {
        let (atOnce, atOnceEffects) = try await Self.fireAll(atOnce: true)
        let (oneByOne, oneByOneEffects) = try await Self.fireAll(atOnce: false)
        // 300 items + 10 follow-ups (the "b" items ending in 0).
        #expect(atOnce.fired == 310)
        #expect(oneByOne.fired == 310)
        #expect(atOnce.failures == 0 && oneByOne.failures == 0)
        #expect(atOnce.firedAtOnce >= 300, "the fast path was not taken")
        #expect(oneByOne.firedAtOnce == 0)
        #expect(atOnceEffects[0].count == 310)
        #expect(atOnceEffects[1].count == 210 + 100 * 2)
        #expect(atOnceEffects[0] == oneByOneEffects[0], "fire order differs")
        #expect(atOnceEffects[1] == oneByOneEffects[1], "outbox rows or their order differ")
        #expect(atOnceEffects[2] == oneByOneEffects[2], "item states differ")
    }

    @Test func aFailingItemSendsItsBatchOneByOneAndLeavesNoEvents() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            try await pool.withTransaction { connection in
                for index in 0..<6 {
                    try ScheduledWork.schedule(kind: "k", key: "item-\(index)",
                                               dueAt: Self.start.addingTimeInterval(Double(index - 10)), on: connection)
                }
            }
            struct Broken: Error {}
            let handler = ScheduledWorkClosure(kind: "k") { item, context in
                try Self.record(item, context)
                try context.outbox.append(Fired(key: item.key, part: 0), topic: "test.sched", source: "tests", time: item.dueAt)
                if item.key == "item-3" { throw Broken() }
            }
            let worker = SchedulerWorker(
                database: pool, clock: SimulatedClock(startingAt: Self.start), handlers: [handler],
                policy: SchedulerPolicy(batchSize: 100, maxAttempts: 3), serviceName: "test")
            let report = try await worker.fireDue()
            #expect(report.fired == 5)
            #expect(report.failures == 1)
            #expect(report.firedAtOnce == 0)
            let effects = try await Self.effects(pool)
            let fired = ["item-0", "item-1", "item-2", "item-4", "item-5"]
            #expect(effects[0] == fired)
            #expect(effects[1].count == fired.count)
            #expect(zip(effects[1], fired).allSatisfy { $0.contains("\"\($1)\"") }, "\(effects[1])")
            #expect(try await pool.count(
                "SELECT count(*) FROM scheduled_work WHERE work_key = 'item-3' AND status = 'pending' AND attempts = 1") == 1)
        }
    }
}
