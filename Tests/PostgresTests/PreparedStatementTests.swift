import Postgres
import Testing

@Suite struct PreparedStatementTests {
    static let insert = PostgresStatement("INSERT INTO p (n, label) VALUES ($1, $2)")
    static let find = PostgresStatement("SELECT label FROM p WHERE n = $1")

    @Test func preparedOncePerConnectionAndReused() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            let (labels, prepared) = try await pool.withConnection { connection in
                try connection.executeScript("CREATE TABLE p (n bigint PRIMARY KEY, label text)")
                for n in 1...50 {
                    try connection.execute(Self.insert, [n, n.isMultiple(of: 5) ? nil : "label \(n)"])
                }
                let labels: [String?] = try (1...50).map { try connection.query(Self.find, [$0])[0].decode(at: 0) }
                let prepared: Int64 = try connection.query(
                    "SELECT count(*) FROM pg_prepared_statements WHERE statement IN ($1, $2)", [Self.insert.sql, Self.find.sql]
                )[0].decode(at: 0)
                return (labels, prepared)
            }
            #expect(labels == (1...50).map { $0.isMultiple(of: 5) ? nil : "label \($0)" })
            #expect(prepared == 2)
        }
    }

    @Test func preparedStatementErrorsAreMapped() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let state = try await pool.withConnection { connection -> String? in
                try connection.executeScript("CREATE TABLE p (n bigint PRIMARY KEY, label text)")
                try connection.execute(Self.insert, [1, "a"])
                do { try connection.execute(Self.insert, [1, "b"]); return nil } catch { return (error as? PostgresError)?.sqlState }
            }
            #expect(state == "23505")
        }
    }
}
