import Postgres

/// Deletes outbox rows that were published long ago. The relay that holds the outbox lock runs it
/// every `OutboxRelay.Options.retentionInterval`; it can also be called directly.
///
/// Age is measured from when the row was (last) sent, on the database's clock, not on the business
/// clock: this is housekeeping of real storage. The relay notes the lowest seq it marks sent in
/// each minute (`outbox_sent_minutes`, runtime migration 14); a sent row below every seq noted
/// since the retention's start was sent before it. Pending rows (in `outbox_unsent`) are never
/// deleted, whatever their age.
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
            if deleted < chunkSize { break }
        }
        _ = try connection.execute(forgetMinutes, [seconds])
        return total
    }

    /// Sent rows below the lowest seq sent in any minute since the cutoff's (every row, if none).
    static let deleteChunk = PostgresStatement("""
        DELETE FROM outbox WHERE seq IN (
            SELECT o.seq FROM outbox AS o
            WHERE o.seq < coalesce(
                      (SELECT min(lowest_seq) FROM outbox_sent_minutes
                       WHERE minute >= date_trunc('minute', now() - $1::bigint * interval '1 second')),
                      9223372036854775807)
              AND NOT EXISTS (SELECT 1 FROM outbox_unsent AS u WHERE u.seq = o.seq)
            ORDER BY o.seq
            LIMIT $2)
        """)
    /// Minutes before the cutoff's no longer protect anything.
    static let forgetMinutes = PostgresStatement("""
        DELETE FROM outbox_sent_minutes WHERE minute < date_trunc('minute', now() - $1::bigint * interval '1 second')
        """)
}
