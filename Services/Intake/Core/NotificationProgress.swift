import Foundation
import Models
import Postgres
import Runtime

/// How far the notifications of an ABI are (read by the CLI while it waits for the service).
public struct NotificationProgress: Sendable, Equatable {
    /// Notifications fully emitted.
    public var issued: Int
    /// Notifications still being emitted.
    public var issuing: Int
    public var availableOn: CivilDate?
    /// The first "notify" round fired and no notification is left half-emitted.
    public var finished: Bool

    public static func read(_ abi: ABINumber, on connection: PostgresConnection) throws -> NotificationProgress {
        let rows = try connection.query("""
            SELECT count(*) FILTER (WHERE state = 'issued'), count(*) FILTER (WHERE state = 'issuing'), min(available_on)::text
            FROM notifications WHERE abi = $1
            """, [abi.value])
        let issued = try rows[0].decode(Int.self, at: 0), issuing = try rows[0].decode(Int.self, at: 1)
        let date = try rows[0].decode(String?.self, at: 2).flatMap { try? CivilDate(parsing: $0) }
        let fired = try ScheduledWork.status(kind: NotifyABIHandler.kind, key: "abi-\(abi.value)-round-1", on: connection) == .done
        return NotificationProgress(issued: issued, issuing: issuing, availableOn: date, finished: fired && issuing == 0)
    }
}
