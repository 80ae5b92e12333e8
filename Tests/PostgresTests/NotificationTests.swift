import Postgres
import Testing

/// `LISTEN` / `NOTIFY` between two sessions: a notification sent in a transaction arrives when it
/// commits, never when it rolls back, and a wait without one returns empty after its timeout.
@Suite struct NotificationTests {
    @Test func aCommittedNotificationArrivesAndARolledBackOneDoesNot() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let listener = try PostgresConnection(configuration: pool.configuration)
            defer { listener.close() }
            try listener.listen("ressus_test_channel")
            #expect(try listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)

            struct Undo: Error {}
            await #expect(throws: Undo.self) {
                try await pool.withTransaction { connection in
                    try connection.notify("ressus_test_channel")
                    throw Undo()
                }
            }
            #expect(try listener.waitForNotifications(timeout: .milliseconds(500)).isEmpty)

            try await pool.withTransaction { connection in
                try connection.notify("ressus_test_channel", payload: "x")
                try connection.notify("another_channel")
            }
            var received: [String] = []
            for _ in 0..<50 where received.isEmpty {
                received = try listener.waitForNotifications(timeout: .milliseconds(200))
            }
            #expect(received == ["ressus_test_channel"])
        }
    }

    @Test func aClosedConnectionCannotWait() throws {
        let listener = try PostgresConnection(configuration: PostgresConfiguration(connectionString: try TestDatabase.url()))
        listener.close()
        #expect(throws: PostgresError.self) { try listener.waitForNotifications(timeout: .milliseconds(10)) }
    }
}
