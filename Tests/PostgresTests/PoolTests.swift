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

    /// While every connection sits in a slow query, Swift tasks still run: libpq blocks the
    /// connections' own threads, not the cooperative pool.
    @Test func blockingQueriesDoNotStallOtherTasks() async throws {
        try await TestDatabase.withSchema(poolSize: 4) { pool, _ in
            let clock = ContinuousClock()
            let started = clock.now
            async let slow: Void = withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await pool.withConnection { _ = try $0.query("SELECT pg_sleep(0.4)") } } }
                try await group.waitForAll()
            }
            try await Task.sleep(for: .milliseconds(100)) // let the slow queries occupy the pool
            var ticks = 0
            let tickStart = clock.now
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(10))
                ticks += 1
            }
            let tickElapsed = clock.now - tickStart
            try await slow
            let total = clock.now - started
            #expect(ticks == 10)
            #expect(tickElapsed < .milliseconds(600), "async work stalled for \(tickElapsed) while queries ran")
            #expect(total >= .milliseconds(800), "8 queries of 0.4 s on 4 connections need two rounds")
        }
    }

    @Test func waitingForAConnectionCanBeCancelled() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            async let holder: Void = pool.withConnection { _ = try $0.query("SELECT pg_sleep(0.5)") }
            try await Task.sleep(for: .milliseconds(100))
            let waiter = Task { try await pool.withConnection { _ in 1 } }
            try await Task.sleep(for: .milliseconds(50))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            try await holder
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
