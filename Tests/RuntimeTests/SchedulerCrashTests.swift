import Foundation
import Postgres
import Runtime
import Testing

/// A worker process killed with SIGKILL while firing leaves every item either fired (done, recorded
/// once) or pending (not recorded): the claim, the effect and the mark commit together.
@Suite struct SchedulerCrashTests {
    /// A test-support executable built next to the test bundle (`scheduler-test-worker` by default).
    static func workerExecutable(named name: String = "scheduler-test-worker") throws -> URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            testBinary.deletingLastPathComponent(),
            testBinary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("debug"),
        ].map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("\(name) not built; looked in \(candidates.map(\.path)) (run swift build --build-tests)")
        }
        return found
    }

    @Test func aKilledWorkerLeavesEachItemFiredOrPendingNeverTwice() async throws {
        let executable = try Self.workerExecutable()
        try await SchedulerTestSchema.withSchema { pool, schema in
            let due = ISO8601DateFormatter().date(from: "2026-02-01T12:00:00Z")!
            try await pool.withTransaction { connection in
                for index in 0..<1000 {
                    try ScheduledWork.schedule(
                        kind: "crash", key: "item-\(index)", dueAt: due.addingTimeInterval(Double(index % 50)), on: connection)
                }
            }
            let process = Process()
            process.executableURL = executable
            process.arguments = [schema]
            process.environment = ProcessInfo.processInfo.environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            try await SchedulerTestSchema.eventually("the worker process to fire 100 items", timeout: .seconds(30)) {
                try await pool.count("SELECT count(*) FROM fire_log") >= 100
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)

            let states = try await Self.itemStates(pool)
            let pending = states.filter { $0.status == "pending" }.count
            #expect(pending > 0, "the process finished before it was killed; the test proved nothing")
            for state in states {
                if state.status == "done" {
                    #expect(state.fireCount == 1, "\(state.key) is done but recorded \(state.fireCount) times")
                } else {
                    #expect(state.status == "pending" && state.fireCount == 0, "\(state.key): \(state.status), recorded \(state.fireCount) times")
                }
            }

            // A new worker finishes the rest; the killed session's locks go when PostgreSQL notices.
            let worker = SchedulerWorker(
                database: pool, clock: SimulatedClock(startingAt: due.addingTimeInterval(3600)),
                handlers: [SchedulerTestSchema.recorder(kind: "crash")], serviceName: "test")
            try await SchedulerTestSchema.eventually("the rest to fire") {
                try await worker.fireDue()
                return try await pool.count("SELECT count(*) FROM scheduled_work WHERE status = 'pending'") == 0
            }
            #expect(try await pool.count("SELECT count(*) FROM fire_log") == 1000)
            #expect(try await pool.count("SELECT count(DISTINCT work_key) FROM fire_log") == 1000)
        }
    }

    struct ItemState { let key: String; let status: String; let fireCount: Int }

    static func itemStates(_ pool: PostgresPool) async throws -> [ItemState] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT w.work_key, w.status, (SELECT count(*) FROM fire_log f WHERE f.work_key = w.work_key)
                FROM scheduled_work w ORDER BY w.id
                """).map { ItemState(key: try $0.decode(String.self, at: 0), status: try $0.decode(String.self, at: 1),
                                     fireCount: try $0.decode(Int.self, at: 2)) }
        }
    }
}
