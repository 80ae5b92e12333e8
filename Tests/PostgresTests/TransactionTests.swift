import Postgres
import Testing

@Suite struct TransactionTests {
    struct Boom: Error {}

    private func count(_ pool: PostgresPool) async throws -> Int64 {
        try await pool.withConnection { try $0.query("SELECT count(*) FROM t")[0].decode(at: 0) }
    }

    @Test func commitsWhenTheBodyReturns() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (n bigint)") }
            let returned = try await pool.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES ($1), ($2)", [1, 2])
            }
            #expect(returned == 2)
            #expect(try await count(pool) == 2)
        }
    }

    @Test func rollsBackWhenTheBodyThrows() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (n bigint)") }
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES ($1)", [1])
                    throw Boom()
                }
            }
            #expect(try await count(pool) == 0)
        }
    }

    @Test func aSwallowedStatementErrorStillRollsBack() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (n bigint PRIMARY KEY)") }
            await #expect {
                try await pool.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES ($1)", [1])
                    _ = try? tx.execute("INSERT INTO t VALUES ($1)", [1]) // fails: duplicate; error ignored
                }
            } throws: { ($0 as? PostgresError)?.kind == .misuse }
            #expect(try await count(pool) == 0)
        }
    }

    @Test func savepointUndoesOnlyItsOwnWork() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (n bigint PRIMARY KEY)") }
            let values = try await pool.withTransaction { tx -> [Int64] in
                try tx.execute("INSERT INTO t VALUES ($1)", [1])
                _ = try? tx.withSavepoint { inner in
                    try inner.execute("INSERT INTO t VALUES ($1)", [2])
                    return try inner.execute("INSERT INTO t VALUES ($1)", [1]) // duplicate: the savepoint is rolled back
                }
                _ = try tx.withSavepoint { try $0.execute("INSERT INTO t VALUES ($1)", [3]) }
                return try tx.query("SELECT n FROM t ORDER BY n").map { try $0.decode(at: 0) }
            }
            #expect(values == [1, 3])
            #expect(try await count(pool) == 2)
        }
    }

    @Test func transactionsDoNotNest() async throws {
        _ = try await TestDatabase.withSchema { pool, _ in
            await #expect {
                try await pool.withTransaction { tx in try tx.withTransaction { _ in 1 } }
            } throws: { ($0 as? PostgresError)?.kind == .misuse }
        }
    }

    @Test func aTransactionLeftOpenIsRolledBackWhenTheConnectionReturns() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            try await pool.withConnection { try $0.executeScript("CREATE TABLE t (n bigint)") }
            try await pool.withConnection { connection in
                try connection.executeScript("BEGIN")
                try connection.execute("INSERT INTO t VALUES ($1)", [1])
            }
            #expect(try await count(pool) == 0)
        }
    }

    @Test func isolationLevelIsApplied() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let level: String = try await pool.withTransaction(isolation: .serializable) { tx in
                try tx.query("SELECT current_setting('transaction_isolation')")[0].decode(at: 0)
            }
            #expect(level == "serializable")
        }
    }
}
