import CLibPQ
import Foundation

/// PostgreSQL's asynchronous notifications (`LISTEN` / `NOTIFY`): one process tells another,
/// through the database, that something is ready, without either polling a table.
extension PostgresConnection {
    /// Starts receiving notifications sent on `channel` (`LISTEN`). The connection must then be
    /// kept for that purpose: notifications arrive on this session only.
    public func listen(_ channel: String) throws {
        try executeScript("LISTEN \(try quoteIdentifier(channel))")
    }

    /// Sends a notification on `channel` (`pg_notify`). Inside a transaction it is delivered when
    /// the transaction commits, and not at all if it rolls back.
    public func notify(_ channel: String, payload: String = "") throws {
        _ = try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Waits up to `timeout` for notifications on the channels this connection listens to and
    /// returns their channel names (empty when none came). Blocks the calling thread: run it on a
    /// thread of its own. Throws `connectionLost` when the connection broke.
    public func waitForNotifications(timeout: Duration) throws -> [String] {
        let handle = try requireHandle()
        var channels = takeNotifications(handle)
        if !channels.isEmpty { return channels }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw PostgresError(kind: .connectionLost, message: "the connection has no socket") }
        let milliseconds = Int32(clamping: max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0 && errno != EINTR {
            throw PostgresError(kind: .connectionLost, message: "waiting for notifications: \(String(cString: strerror(errno)))")
        }
        if ready > 0 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                throw PostgresError.fromConnection(handle, kind: .connectionLost)
            }
            channels = takeNotifications(handle)
        }
        return channels
    }

    private func takeNotifications(_ handle: OpaquePointer) -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(handle) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }
}
