import Foundation
import Postgres
import Runtime
import Testing

/// `OperatorRequestDesk.progress(from:through:on:)`, as `ressus carga reproduzir` polls a bulk of
/// requests: the first still pending and the refusals below it, from where the last poll stopped.
@Suite struct RequestProgressTests {
    /// Requests 1...12 with `statuses` (p pendente, a aceito, r recusado, message "rN").
    static func prepare(_ statuses: String, on connection: PostgresConnection) throws {
        try connection.executeScript(OperatorRequestDesk.tableDDL())
        for (index, status) in statuses.enumerated() {
            let (name, message): (String, String?) = switch status {
            case "a": ("aceito", nil)
            case "r": ("recusado", "r\(index + 1)")
            default: ("pendente", nil)
            }
            _ = try connection.execute(
                "INSERT INTO requests (id, kind, payload, status, message) VALUES ($1, 'k', '{}', $2, $3)",
                [Int64(index + 1), name, message])
        }
    }

    @Test func pollsFromWhereTheLastOneStopped() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            try await pool.withConnection { connection in
                // 1-3 accepted, 4 refused, 5 pending, 6 refused, 7-10 accepted, 11 pending; 12 is
                // another bulk's (pending), outside the range polled.
                try Self.prepare("aaarpraaaapp", on: connection)
                func progress(_ start: Int64) throws -> OperatorRequestDesk.BulkProgress {
                    try OperatorRequestDesk.progress(from: start, through: 11, on: connection)
                }
                #expect(try progress(1) == .init(firstPending: 5, refusals: ["r4"]))
                // The next poll starts at 5: request 4's refusal is behind it.
                #expect(try progress(5) == .init(firstPending: 5, refusals: []))

                _ = try connection.execute("UPDATE requests SET status = 'aceito' WHERE id = 5")
                #expect(try progress(5) == .init(firstPending: 11, refusals: ["r6"]))

                _ = try connection.execute("UPDATE requests SET status = 'recusado', message = 'r11' WHERE id = 11")
                #expect(try progress(11) == .init(firstPending: nil, refusals: ["r11"]))
                // Everything decided: the refusals of the whole range, three at most, in order.
                #expect(try progress(1) == .init(firstPending: nil, refusals: ["r4", "r6", "r11"]))
                _ = try connection.execute("UPDATE requests SET status = 'recusado', message = 'r1' WHERE id = 1")
                #expect(try progress(1) == .init(firstPending: nil, refusals: ["r1", "r4", "r6"]))
            }
        }
    }

    @Test func allAcceptedEndsTheWait() async throws {
        try await SchedulerTestSchema.withSchema { pool, _ in
            try await pool.withConnection { connection in
                try Self.prepare("aaaa", on: connection)
                #expect(try OperatorRequestDesk.progress(from: 1, through: 4, on: connection)
                        == .init(firstPending: nil, refusals: []))
            }
        }
    }
}
