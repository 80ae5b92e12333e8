import Foundation
import Postgres
import Runtime
import TestSupport
import Testing

/// Work that another process schedules due at once fires when it calls
/// `ScheduledWork.wakeWorkers`, not at the worker's next poll. The worker here polls once a
/// minute and its simulated clock never moves, so only the wake-up can make it fire in time.
@Suite struct SchedulerWakeTests {
    @Test func wakingTheWorkersFiresWorkScheduledElsewhereAtOnce() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            let start = SchedulerTests.start
            let worker = SchedulerWorker(
                database: pool, clock: SimulatedClock(startingAt: start),
                handlers: [SchedulerTestSchema.recorder(kind: "k")],
                policy: SchedulerPolicy(pollInterval: .seconds(60)), serviceName: "test")
            let running = RunningServices([worker])
            // Its first round runs at start (nothing due); then it waits for a poll, a clock move
            // or a wake-up. Give the listener time to connect.
            try await Task.sleep(for: .seconds(2))

            try await pool.withTransaction {
                try ScheduledWork.schedule(kind: "k", key: "unannounced", dueAt: start.addingTimeInterval(-60), on: $0)
            }
            try await Task.sleep(for: .seconds(3))
            #expect(try await pool.count("SELECT count(*) FROM fire_log") == 0,
                    "fired without a wake-up: the test cannot tell the wake-up from the poll")

            try await pool.withTransaction {
                try ScheduledWork.schedule(kind: "k", key: "announced", dueAt: start.addingTimeInterval(-60), on: $0)
                try ScheduledWork.wakeWorkers(on: $0)
            }
            try await SchedulerTestSchema.eventually("both items fired after the wake-up", timeout: .seconds(20)) {
                try await pool.count("SELECT count(*) FROM fire_log") == 2
            }
            try await running.stop()
        }
    }
}
