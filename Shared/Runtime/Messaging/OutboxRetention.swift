import Postgres

/// Deletes outbox rows that were published long ago. The relay that holds the outbox lock runs it
/// every `OutboxRelay.Options.retentionInterval`; it can also be called directly.
///
/// Age is measured on the database's clock (`sent_at` is set with `now()`), not on the business
/// clock: this is housekeeping of real storage. Pending rows are never deleted, whatever their age.
/// A row deleted here can no longer be replayed (`OutboxReplay`).
public enum OutboxRetention {
    /// How long sent rows are kept (so an operator can replay them after a broker loses data).
    public static let defaultRetention: Duration = .seconds(7 * 86_400)
    /// How often the active relay deletes expired rows.
    public static let defaultInterval: Duration = .seconds(3_600)
    /// Rows deleted per statement, so one run never holds a huge lock set or transaction.
    static let chunkSize = 10_000

    /// Deletes rows sent more than `retention` ago; returns how many. Each chunk is its own
    /// statement (autocommit), so run it outside a transaction.
    public static func deleteExpired(on connection: PostgresConnection, olderThan retention: Duration) throws -> Int {
        let seconds = max(0, retention.components.seconds)
        var total = 0
        while true {
            let deleted = try connection.execute(deleteChunk, [seconds, chunkSize])
            total += deleted
            if deleted < chunkSize { return total }
        }
    }

    static let deleteChunk = PostgresStatement("""
        DELETE FROM outbox WHERE seq IN (
            SELECT seq FROM outbox
            WHERE sent_at IS NOT NULL AND sent_at < now() - $1::bigint * interval '1 second'
            LIMIT $2)
        """)
}
