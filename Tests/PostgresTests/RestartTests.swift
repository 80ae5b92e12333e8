import Foundation
import Postgres
import Testing

/// Server restarts, on a private throwaway cluster (never the shared server).
@Suite struct RestartTests {
    actor Progress {
        var confirmed: Set<Int64> = []
        var retryableFailures: [String] = []
        var stopped = false
        func confirm(_ id: Int64) { confirmed.insert(id) }
        func failed(_ message: String) { retryableFailures.append(message) }
        func stop() { stopped = true }
    }

    private static func waitUntil(_ condition: () async -> Bool, timeout: Duration) async throws {
        let deadline = ContinuousClock().now + timeout
        while await !condition() {
            guard ContinuousClock().now < deadline else { throw PrivateCluster.ClusterError("timed out after \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func startedAt(_ pool: PostgresPool) async throws -> Date {
        try await pool.withConnection { try $0.query("SELECT pg_postmaster_start_time()")[0].decode(at: 0) }
    }

    @Test func workContinuesAcrossARestart() async throws {
        let cluster = try await onOwnThread { try PrivateCluster() }
        defer { cluster.destroy() }
        let pool = PostgresPool(configuration: cluster.configuration(), options: .init(size: 4))
        try await pool.withConnection { try $0.executeScript("CREATE TABLE work (id bigint PRIMARY KEY, worker int NOT NULL)") }
        let bootedAt = try await Self.startedAt(pool)
        let progress = Progress()

        let workers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var next = Int64(worker) * 1_000_000
                        while await !progress.stopped {
                            do {
                                let id = next
                                // ON CONFLICT: a retried insert whose first COMMIT did land is harmless.
                                _ = try await pool.withConnection {
                                    try $0.execute("INSERT INTO work (id, worker) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [id, worker])
                                }
                                await progress.confirm(id)
                                next += 1
                            } catch let error as PostgresError where error.isRetryable {
                                await progress.failed(error.description) // retry the same id
                                try await Task.sleep(for: .milliseconds(10))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        let atRestart: Int
        do {
            try await Self.waitUntil({ await progress.confirmed.count >= 300 }, timeout: .seconds(60))
            try await onOwnThread { try cluster.restart() }
            atRestart = await progress.confirmed.count
            try await Self.waitUntil({ await progress.confirmed.count >= atRestart + 300 }, timeout: .seconds(60))
        } catch {
            await progress.stop()
            workers.cancel()
            throw error
        }
        await progress.stop()
        try await workers.value

        let confirmed = await progress.confirmed
        let stored = Set(try await pool.withConnection { try $0.query("SELECT id FROM work").map { try $0.decode(Int64.self, at: 0) } })
        let rebootedAt = try await Self.startedAt(pool)
        let failures = await progress.retryableFailures
        await pool.close()

        #expect(rebootedAt > bootedAt, "the server really restarted")
        #expect(confirmed.isSubset(of: stored), "every insert reported as done is in the table")
        #expect(confirmed.count >= atRestart + 300)
        print("restart: \(confirmed.count) inserts confirmed, \(atRestart) before the restart; \(failures.count) retryable failures: \(Set(failures.map { String($0.prefix(90)) }))")
    }

    @Test func aCallMadeWhileTheServerIsDownWaitsForIt() async throws {
        let cluster = try await onOwnThread { try PrivateCluster() }
        defer { cluster.destroy() }
        let pool = PostgresPool(
            configuration: cluster.configuration(),
            options: .init(size: 2, reconnectTimeout: .seconds(30), initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200))
        )
        let before = try await Self.startedAt(pool)
        try await onOwnThread { try cluster.stop() }
        let clock = ContinuousClock()
        let issued = clock.now
        async let answer = pool.withConnection { try $0.query("SELECT 41 + 1")[0].decode(Int.self, at: 0) }
        try await Task.sleep(for: .seconds(1))
        try await onOwnThread { try cluster.start() }
        #expect(try await answer == 42)
        #expect(clock.now - issued >= .seconds(1), "the call waited for the server")
        #expect(try await Self.startedAt(pool) > before)
        await pool.close()
    }
}
