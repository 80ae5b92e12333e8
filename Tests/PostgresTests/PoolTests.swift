import Foundation
import Postgres
import Testing

@Suite struct PoolTests {
    @Test func manyTasksShareAFewConnections() async throws {
        try await TestDatabase.withSchema(poolSize: 4) { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE hits (task bigint PRIMARY KEY, backend integer)") }
            let backends = try await withThrowingTaskGroup(of: Int32.self) { group in
                for task in 0..<200 {
                    group.addTask {
                        try await pool.withTransaction { tx in
                            let backend: Int32 = try tx.query("SELECT pg_backend_pid()")[0].decode(at: 0)
                            try tx.execute("INSERT INTO hits VALUES ($1, $2)", [task, backend])
                            return backend
                        }
                    }
                }
                var seen = Set<Int32>()
                for try await backend in group { seen.insert(backend) }
                return seen
            }
            let stored: Int64 = try await pool.withConnection { try $0.query("SELECT count(DISTINCT task) FROM hits")[0].decode(at: 0) }
            #expect(stored == 200)
            #expect(backends.count <= 4)
            #expect(backends.count >= 1)
        }
    }

    /// While every connection sits in a blocked query, Swift tasks still run: libpq blocks the
    /// connections' own threads, not the cooperative pool. The queries wait on an advisory lock the
    /// test holds, so the check does not depend on timing: if libpq blocked the cooperative pool
    /// (2 threads here), the ticks below could not run and the time limit would end the test.
    @Test(.timeLimit(.minutes(1))) func blockingQueriesDoNotStallOtherTasks() async throws {
        try await TestDatabase.withSchema(poolSize: 4) { pool, _ in
            let key = Int64.random(in: 1...Int64.max)
            let holder = try PostgresConnection(configuration: pool.configuration)
            defer { holder.close() }
            try holder.query("SELECT pg_advisory_lock($1)", [key])
            let finished = Counter()
            let blocked = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await pool.withConnection { _ = try $0.query("SELECT pg_advisory_lock_shared($1)", [key]) }
                            finished.increment()
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Wait until all four connections are blocked on the lock.
            let watcher = try PostgresConnection(configuration: pool.configuration)
            defer { watcher.close() }
            var waiting = 0
            for _ in 0..<600 where waiting < 4 {
                waiting = try watcher.query(
                    "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ($1::bigint & 4294967295)::oid",
                    [key])[0].decode(Int.self, at: 0)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(waiting == 4, "the four queries never blocked on the lock")
            var ticks = 0
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(5))
                ticks += 1
            }
            #expect(ticks == 10)
            #expect(finished.count == 0, "the blocked queries finished before the lock was released")
            try holder.query("SELECT pg_advisory_unlock($1)", [key])
            try await blocked.value
            #expect(finished.count == 4)
        }
    }

    @Test(.timeLimit(.minutes(1))) func waitingForAConnectionCanBeCancelled() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            let key = Int64.random(in: 1...Int64.max)
            let holder = try PostgresConnection(configuration: pool.configuration)
            defer { holder.close() }
            try holder.query("SELECT pg_advisory_lock($1)", [key])
            // The pool's only connection stays busy until the test releases the lock.
            let busy = Task { try await pool.withConnection { _ = try $0.query("SELECT pg_advisory_lock_shared($1)", [key]) } }
            // Only start the waiter once the busy task holds the connection and is blocked on the
            // lock; otherwise the waiter could take the connection first and never wait.
            while try holder.query(
                "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ($1::bigint & 4294967295)::oid",
                [key]
            )[0].decode(Int.self, at: 0) == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let waiter = Task { try await pool.withConnection { _ in 1 } }
            try await Task.sleep(for: .milliseconds(50))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            try holder.query("SELECT pg_advisory_unlock($1)", [key])
            try await busy.value
            #expect(try await pool.withConnection { _ in 2 } == 2)
        }
    }

    @Test func aConnectionKilledByTheServerIsReplaced() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            let first: Int32 = try await pool.withConnection { try $0.query("SELECT pg_backend_pid()")[0].decode(at: 0) }
            // Another session terminates our pooled backend while it sits idle.
            let admin = try PostgresConnection(configuration: pool.configuration)
            try admin.query("SELECT pg_terminate_backend($1)", [first])
            admin.close()
            try await Task.sleep(for: .milliseconds(100))
            let second: Int32 = try await pool.withConnection { try $0.query("SELECT pg_backend_pid()")[0].decode(at: 0) }
            #expect(second != first)
        }
    }
}

/// A thread-safe counter for tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
