import Postgres
import Testing

@Suite struct ErrorTests {
    @Test func uniqueViolationCarriesSQLStateAndDetail() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let error = try await pool.withConnection { connection -> PostgresError? in
                try connection.executeScript("CREATE TABLE items (id bigint PRIMARY KEY)")
                try connection.execute("INSERT INTO items (id) VALUES ($1)", [Int64(1)])
                do {
                    try connection.execute("INSERT INTO items (id) VALUES ($1)", [Int64(1)])
                    return nil
                } catch let error as PostgresError {
                    return error
                }
            }
            let violation = try #require(error)
            #expect(violation.kind == .server)
            #expect(violation.sqlState == "23505")
            #expect(violation.isUniqueViolation)
            #expect(!violation.isRetryable)
            #expect(violation.constraint == "items_pkey")
            #expect(violation.table == "items")
            #expect(violation.detail == "Key (id)=(1) already exists.")
        }
    }

    @Test func syntaxErrorAndUndefinedTable() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let states = try await pool.withConnection { connection in
                [("SELEC 1", "42601"), ("SELECT * FROM no_such_table", "42P01")].map { sql, _ in
                    do { try connection.query(sql); return "none" } catch { return (error as? PostgresError)?.sqlState ?? "\(error)" }
                }
            }
            #expect(states == ["42601", "42P01"])
        }
    }

    @Test func refusedConnectionIsRetryable() throws {
        // Port 1 on loopback: nothing listens there.
        let configuration = PostgresConfiguration(parameters: ["host": "127.0.0.1", "port": "1", "user": "x", "dbname": "x"])
        #expect {
            try PostgresConnection(configuration: configuration)
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.kind == .connectionFailed && error.isRetryable
        }
    }

    @Test func poolGivesUpAfterReconnectTimeout() async throws {
        let configuration = PostgresConfiguration(parameters: ["host": "127.0.0.1", "port": "1", "user": "x", "dbname": "x"])
        let pool = PostgresPool(
            configuration: configuration,
            options: .init(size: 1, reconnectTimeout: .milliseconds(300), initialBackoff: .milliseconds(20))
        )
        await #expect {
            try await pool.withConnection { _ in 1 }
        } throws: { ($0 as? PostgresError)?.kind == .connectionFailed }
        await pool.close()
        await #expect {
            try await pool.withConnection { _ in 1 }
        } throws: { ($0 as? PostgresError)?.kind == .poolClosed }
    }
}
