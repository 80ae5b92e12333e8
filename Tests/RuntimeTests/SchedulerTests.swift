import Foundation
import Models
import Postgres
import Runtime
import TestSupport
import Testing

@Suite struct SchedulerTests {
    static let start = ISO8601DateFormatter().date(from: "2026-01-02T12:00:00Z")!

    /// 1,000 items at mixed due times (many sharing one), scheduled in an order unrelated to their
    /// due times. Due within 10 days of the start.
    static func scheduleThousand(kind: String, on pool: PostgresPool) async throws {
        try await pool.withTransaction { connection in
            for index in 0..<1000 {
                // 1,000 items over 240 distinct due times, 1 hour apart: ids and due order differ.
                let slot = (index * 7919) % 240
                try ScheduledWork.schedule(
                    kind: kind, key: "item-\(index)", dueAt: start.addingTimeInterval(Double(slot) * 3600),
                    payloadJSON: "{\"index\": \(index)}", on: connection)
            }
        }
    }

    /// (due_at, id) order of all items, and the fire order from the log.
    static func orders(_ pool: PostgresPool) async throws -> (expected: [String], fired: [String]) {
        try await pool.withConnection { connection in
            let expected = try connection.query("SELECT work_key FROM scheduled_work ORDER BY due_at, id")
                .map { try $0.decode(String.self, at: 0) }
            let fired = try connection.query("SELECT work_key FROM fire_log ORDER BY seq")
                .map { try $0.decode(String.self, at: 0) }
            return (expected, fired)
        }
    }

    @Test func firesEachItemOnceInDueOrderAcrossARestart() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            try await Self.scheduleThousand(kind: "deadline", on: pool)
            let clock = SimulatedClock(startingAt: Self.start.addingTimeInterval(-1))
            func makeWorker() -> SchedulerWorker {
                SchedulerWorker(
                    database: pool, clock: clock, handlers: [SchedulerTestSchema.recorder(kind: "deadline")],
                    policy: SchedulerPolicy(batchSize: 37), serviceName: "test")
            }
            var running = RunningServices([makeWorker()])
            var advances: [Date] = []
            // 20 advances of 12 hours cover the 240 hours. At the 10th, the first worker is stopped
            // (graceful) as soon as it has committed a batch of that advance's items (~50 items, so
            // usually mid-round), and a new worker goes on.
            for step in 1...20 {
                let instant = Self.start.addingTimeInterval(Double(step) * 12 * 3600 - 1)
                let firedBefore = try await pool.count("SELECT count(*) FROM fire_log")
                clock.advance(to: instant)
                advances.append(instant)
                if step == 10 {
                    try await SchedulerTestSchema.eventually("a first batch at step 10") {
                        try await pool.count("SELECT count(*) FROM fire_log") > firedBefore
                    }
                    try await running.stop()
                    running = RunningServices([makeWorker()])
                }
                let dueCount = try await pool.count(
                    "SELECT count(*) FROM scheduled_work WHERE due_at <= $1", [instant])
                try await SchedulerTestSchema.eventually("items due by step \(step) to fire") {
                    try await pool.count("SELECT count(*) FROM fire_log") >= dueCount
                }
                #expect(try await pool.count("SELECT count(*) FROM fire_log") == dueCount)
            }
            try await running.stop()

            let (expected, fired) = try await Self.orders(pool)
            #expect(fired.count == 1000)
            #expect(Set(fired).count == 1000)
            #expect(fired == expected, "fire order differs from (due_at, id) order")
            #expect(try await pool.count("SELECT count(*) FROM scheduled_work WHERE status = 'done'") == 1000)
            // Deterministic: each item fired at the first advance at or after its due time.
            let rows = try await pool.withConnection { connection in
                try connection.query("""
                    SELECT f.due_at, f.fired_now, w.fired_at FROM fire_log f
                    JOIN scheduled_work w ON w.work_key = f.work_key
                    """).map { (try $0.decode(Date.self, at: 0), try $0.decode(Date.self, at: 1), try $0.decode(Date.self, at: 2)) }
            }
            for (due, firedNow, firedAt) in rows {
                #expect(firedNow == advances.first { $0 >= due })
                #expect(firedAt == firedNow)
            }
        }
    }

    @Test func twoWorkersOnOneSchemaFireEachItemOnce() async throws {
        try await SchedulerTestSchema.withSchema { pool, schema in
            try await Self.scheduleThousand(kind: "deadline", on: pool)
            let clock = SimulatedClock(startingAt: Self.start.addingTimeInterval(11 * 86_400))
            // Two replicas: separate pools, as two processes would have.
            let pools = [try SchedulerTestSchema.pool(schema: schema), try SchedulerTestSchema.pool(schema: schema)]
            let workers = pools.enumerated().map { index, replicaPool in
                SchedulerWorker(
                    database: replicaPool, clock: clock,
                    handlers: [SchedulerTestSchema.recorder(kind: "deadline", worker: "w\(index)", extraSQL: "SELECT pg_sleep(0.001)")],
                    policy: SchedulerPolicy(batchSize: 10), serviceName: "test")
            }
            async let first = workers[0].fireDue()
            async let second = workers[1].fireDue()
            let reports = try await [first, second]
            for replicaPool in pools { await replicaPool.close() }

            #expect(reports.map(\.fired).reduce(0, +) == 1000)
            #expect(reports.allSatisfy { $0.fired > 0 }, "both replicas should have fired some items: \(reports)")
            #expect(try await pool.count("SELECT count(*) FROM fire_log") == 1000)
            #expect(try await pool.count("SELECT count(DISTINCT work_key) FROM fire_log") == 1000)
            #expect(try await pool.count("SELECT count(*) FROM scheduled_work WHERE status <> 'done'") == 0)
        }
    }

    struct Flaky: Error {}

    @Test func aThrowingHandlerIsRetriedWithoutBlockingOthers() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            let clock = SimulatedClock(startingAt: Self.start)
            try await pool.withTransaction { connection in
                // The failing items are due first; the others must fire all the same.
                try ScheduledWork.schedule(kind: "flaky", key: "recovers", dueAt: Self.start.addingTimeInterval(-60), on: connection)
                try ScheduledWork.schedule(kind: "flaky", key: "never", dueAt: Self.start.addingTimeInterval(-60), on: connection)
                for index in 0..<5 {
                    try ScheduledWork.schedule(kind: "ok", key: "ok-\(index)", dueAt: Self.start.addingTimeInterval(-30), on: connection)
                }
            }
            let flaky = ScheduledWorkClosure(kind: "flaky") { item, context in
                // Writes, then throws: the write must be undone with the attempt.
                _ = try context.connection.execute(
                    "INSERT INTO fire_log (work_key, due_at, fired_now) VALUES ($1, $2, $3)", [item.key, item.dueAt, context.now])
                if item.key == "never" || item.attempts < 2 { throw Flaky() }
            }
            let worker = SchedulerWorker(
                database: pool, clock: clock, handlers: [flaky, SchedulerTestSchema.recorder(kind: "ok")],
                policy: SchedulerPolicy(batchSize: 3, maxAttempts: 3, initialBackoff: .seconds(1), maximumBackoff: .seconds(1)), serviceName: "test")

            let firstRound = try await worker.fireDue()
            #expect(firstRound.fired == 5)
            #expect(firstRound.failures == 2)
            #expect(firstRound.stillDue == 2)
            #expect(try await pool.count("SELECT count(*) FROM fire_log") == 5)
            #expect(try await pool.count(
                "SELECT count(*) FROM scheduled_work WHERE kind = 'flaky' AND status = 'pending' AND attempts = 1 AND last_error LIKE '%Flaky%'") == 2)

            // Retries happen on the poll interval, without the simulated clock moving.
            let running = RunningServices([worker])
            try await SchedulerTestSchema.eventually("retries to settle", timeout: .seconds(20)) {
                try await pool.count("SELECT count(*) FROM scheduled_work WHERE kind = 'flaky' AND status IN ('done', 'failed')") == 2
            }
            try await running.stop()
            let states = try await pool.withConnection { connection in
                try connection.query("SELECT work_key, status, attempts, fired_at IS NOT NULL FROM scheduled_work WHERE kind = 'flaky' ORDER BY work_key")
                    .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(Int.self, at: 2)) \(try $0.decode(Bool.self, at: 3))" }
            }
            #expect(states == ["never failed 3 false", "recovers done 2 true"])
            #expect(try await pool.count("SELECT count(*) FROM fire_log WHERE work_key = 'recovers'") == 1)
            #expect(try await pool.count("SELECT count(*) FROM fire_log WHERE work_key = 'never'") == 0)
        }
    }

    @Test func schedulingIsTransactionalIdempotentAndCancellable() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            let clock = SimulatedClock(startingAt: Self.start)
            let worker = SchedulerWorker(
                database: pool, clock: clock, handlers: [SchedulerTestSchema.recorder(kind: "k")], serviceName: "test")
            let later = Self.start.addingTimeInterval(3600)
            let outcomes = try await pool.withTransaction { connection in
                [try ScheduledWork.schedule(kind: "k", key: "a", dueAt: Self.start, on: connection),
                 // Rescheduled to later: it must not fire at `start`.
                 try ScheduledWork.schedule(kind: "k", key: "a", dueAt: later, on: connection),
                 try ScheduledWork.schedule(kind: "k", key: "b", dueAt: Self.start, on: connection),
                 try ScheduledWork.schedule(kind: "k", key: "c", dueAt: Self.start, on: connection)]
            }
            #expect(outcomes == [.scheduled, .rescheduled, .scheduled, .scheduled])
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await pool.withTransaction { connection in
                    try ScheduledWork.schedule(kind: "k", key: "rolled-back", dueAt: Self.start, on: connection)
                    throw Abort()
                }
            }
            #expect(try await pool.withTransaction { try ScheduledWork.cancel(kind: "k", key: "c", on: $0) })

            #expect(try await worker.fireDue().fired == 1)  // b only
            clock.advance(to: later)
            #expect(try await worker.fireDue().fired == 1)  // a
            let afterFiring = try await pool.withTransaction { connection in
                (try ScheduledWork.schedule(kind: "k", key: "a", dueAt: later.addingTimeInterval(60), on: connection),
                 try ScheduledWork.cancel(kind: "k", key: "a", on: connection),
                 try ScheduledWork.status(kind: "k", key: "a", on: connection),
                 try ScheduledWork.status(kind: "k", key: "c", on: connection),
                 try ScheduledWork.status(kind: "k", key: "rolled-back", on: connection))
            }
            #expect(afterFiring.0 == .alreadyFired)
            #expect(afterFiring.1 == false)
            #expect(afterFiring.2 == .done)
            #expect(afterFiring.3 == .cancelled)
            #expect(afterFiring.4 == nil)
            clock.advance(bySeconds: 86_400)
            #expect(try await worker.fireDue().fired == 0)
            let fired = try await Self.orders(pool).fired
            #expect(fired == ["b", "a"])
        }
    }

    struct DeadlinePassed: DomainEvent {
        static let eventType = EventType.ressus("test.deadline.passed", version: 1)
        var key: String
        var partitionKey: String { key }
    }

    @Test func handlersWriteOutboxEventsAndScheduleFollowUpsFiredInTheSameRound() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            let clock = SimulatedClock(startingAt: Self.start)
            let chain = ScheduledWorkClosure(kind: "chain") { item, context in
                try context.outbox.append(
                    DeadlinePassed(key: item.key), topic: "test.deadlines", source: "tests", time: item.dueAt)
                let step = try item.payload(as: [String: Int].self)["step"]!
                if step < 5 {
                    try ScheduledWork.schedule(
                        kind: "chain", key: "chain-\(step + 1)", dueAt: item.dueAt.addingTimeInterval(60),
                        payload: ["step": step + 1], on: context.connection)
                }
            }
            let worker = SchedulerWorker(database: pool, clock: clock, handlers: [chain], serviceName: "test")
            _ = try await pool.withTransaction { connection in
                try ScheduledWork.schedule(
                    kind: "chain", key: "chain-0", dueAt: Self.start.addingTimeInterval(-3600), payload: ["step": 0], on: connection)
            }
            let report = try await worker.fireDue()
            #expect(report.fired == 6)
            #expect(report.stillDue == 0)
            let events = try await pool.withConnection { connection in
                try connection.query("SELECT partition_key, event_type FROM outbox ORDER BY seq")
                    .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))" }
            }
            #expect(events == (0...5).map { "chain-\($0) br.gov.ans.ressus.test.deadline.passed.v1" })
        }
    }
}
