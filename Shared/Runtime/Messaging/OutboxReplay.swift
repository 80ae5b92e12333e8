import Foundation
import Postgres

/// Operator tools over a service's outbox: republish from a point (e.g. after the broker lost
/// its data) and report its state. The pool's connections must have the service's schema as
/// search_path.
///
/// Replaying marks sent rows pending again; the active `OutboxRelay` then publishes them, in seq
/// order, together with whatever is still pending — so consumers see the original order again
/// (their inboxes absorb the events they already applied). Rows already deleted by
/// `OutboxRetention` cannot be replayed. What replay cannot undo: events the relay published
/// after the broker lost data and before the replay reached consumers before the replayed ones
/// (a batch already in flight when the replay commits is such a case too).
public struct OutboxReplay: Sendable {
    public enum ReplayError: Error, Equatable, CustomStringConvertible {
        /// No outbox row has this event id (never written here, or deleted by retention).
        case eventNotFound(UUID)

        public var description: String {
            switch self {
            case .eventNotFound(let id): return "no outbox row has event id \(id)"
            }
        }
    }

    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// Marks pending again every sent row from the first row created at or after `since` onwards
    /// (in seq order: that row and every later one); returns how many rows changed.
    public func replay(since: Date) async throws -> Int {
        try await pool.withTransaction { try $0.execute(Self.replaySince, [since]) }
    }

    /// Marks pending again the row of `eventId` and every sent row after it (in seq order);
    /// returns how many rows changed. Throws `ReplayError.eventNotFound` if no row has that id.
    public func replay(fromEventId eventId: UUID) async throws -> Int {
        try await pool.withTransaction { connection in
            let start = try connection.query(Self.seqOfEvent, [eventId])
            guard let row = start.first else { throw ReplayError.eventNotFound(eventId) }
            return try connection.execute(Self.replayFromSeq, [try row.decode(Int64.self, at: 0)])
        }
    }

    /// Marks pending again every sent row still retained, on `connection` (the relay does it when
    /// the broker lost its data); returns how many rows changed.
    public static func replayAll(on connection: PostgresConnection) throws -> Int {
        try connection.execute(replayAllStatement)
    }

    /// Pending and sent counts and the oldest pending row's age.
    public func status() async throws -> OutboxStatus {
        try await pool.withConnection { connection in
            let row = try connection.query(Self.statusQuery)[0]
            return OutboxStatus(
                pending: try row.decode(Int.self, at: 0), sent: try row.decode(Int.self, at: 1),
                oldestPendingCreatedAt: try row.decode(Date?.self, at: 2), observedAt: try row.decode(Date.self, at: 3))
        }
    }

    static let replaySince = PostgresStatement("""
        INSERT INTO outbox_unsent (seq)
        SELECT seq FROM outbox WHERE seq >= (SELECT min(seq) FROM outbox WHERE created_at >= $1)
        ON CONFLICT (seq) DO NOTHING
        """)
    static let replayAllStatement = PostgresStatement("""
        INSERT INTO outbox_unsent (seq) SELECT seq FROM outbox ON CONFLICT (seq) DO NOTHING
        """)
    static let seqOfEvent = PostgresStatement("SELECT seq FROM outbox WHERE event_id = $1")
    static let replayFromSeq = PostgresStatement("""
        INSERT INTO outbox_unsent (seq) SELECT seq FROM outbox WHERE seq >= $1 ON CONFLICT (seq) DO NOTHING
        """)
    static let statusQuery = PostgresStatement("""
        SELECT (SELECT count(*) FROM outbox_unsent),
               (SELECT count(*) FROM outbox) - (SELECT count(*) FROM outbox_unsent),
               (SELECT min(o.created_at) FROM outbox_unsent AS u JOIN outbox AS o ON o.seq = u.seq),
               now()
        """)
}

/// A snapshot of one outbox.
public struct OutboxStatus: Sendable, Equatable {
    public var pending: Int
    public var sent: Int
    /// When the oldest pending row was written (nil when nothing is pending).
    public var oldestPendingCreatedAt: Date?
    /// The database's `now()` when the snapshot was taken.
    public var observedAt: Date

    /// How long the oldest pending row has waited, in whole seconds (nil when nothing is pending).
    public var oldestPendingAgeSeconds: Int? {
        oldestPendingCreatedAt.map { max(0, Int(observedAt.timeIntervalSince($0).rounded(.down))) }
    }
}
