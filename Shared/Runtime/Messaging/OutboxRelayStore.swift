import Foundation
import Kafka
import Postgres

/// One pending outbox row, ready to produce.
struct OutboxRow: Sendable {
    let seq: Int64
    let topic: String
    let partitionKey: String
    /// Nil when the stored headers are not the JSON array of single-key objects `OutboxWriter`
    /// writes: such a row is never produced (it blocks its key, and the relay logs it).
    let message: OutgoingMessage?
}

/// The relay's SQL, run synchronously on its dedicated connection (search_path = the service's
/// schema, so table names are unqualified).
enum OutboxRelayStore {
    /// The session advisory lock that makes one relay per schema the active one. FNV-1a of
    /// `ressus.outbox.<schema>`, like `PostgresMigrator`'s key (a different prefix, so no clash).
    static func lockKey(schema: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "ressus.outbox.\(schema)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// True when this session holds the lock, taking it if it is free. The check comes first so
    /// that a session already holding it does not stack the (re-entrant) lock again. A bigint key
    /// appears in `pg_locks` as classid = high half, objid = low half, objsubid = 1.
    /// Also returns the session's backend pid, so the caller notices a replaced connection.
    static func holdsOrAcquiresLock(_ connection: PostgresConnection, key: Int64) throws -> (held: Bool, session: Int) {
        let high = Int64(UInt32(truncatingIfNeeded: key >> 32))
        let low = Int64(UInt32(truncatingIfNeeded: key))
        let rows = try connection.query(lockQuery, [key, high, low])
        return (try rows[0].decode(Bool.self, at: 0), try rows[0].decode(Int.self, at: 1))
    }

    /// The oldest pending rows, in commit (seq) order.
    static func pending(_ connection: PostgresConnection, limit: Int) throws -> [OutboxRow] {
        try connection.query(pendingQuery, [limit]).map { row in
            let seq = try row.decode(Int64.self, at: 0)
            let topic = try row.decode(String.self, at: 1)
            let key = try row.decode(String.self, at: 2)
            let headers = parseHeaders(try row.decode(String.self, at: 3))
            let payload = try row.decode([UInt8].self, at: 4)
            return OutboxRow(
                seq: seq, topic: topic, partitionKey: key,
                message: headers.map { OutgoingMessage(topic: topic, key: key, value: payload, headers: $0) })
        }
    }

    /// Marks the rows with these sequence numbers sent (no longer in `outbox_unsent`, migration
    /// 14) and notes the lowest of them in this minute's `outbox_sent_minutes` row, which
    /// `OutboxRetention` reads; returns how many rows changed.
    static func markSent(_ connection: PostgresConnection, seqs: [Int64]) throws -> Int {
        guard let lowest = seqs.min() else { return 0 }
        return try connection.query(markSentStatement, [seqs.map(String.init), lowest])[0].decode(Int.self, at: 0)
    }

    /// Rows not yet published.
    static func backlog(_ connection: PostgresConnection) throws -> Int {
        try connection.query(backlogQuery)[0].decode(Int.self, at: 0)
    }

    /// `[{"ce_id":"..."}, {"ce_type":"..."}, ...]` to Kafka headers, in order; nil if malformed.
    static func parseHeaders(_ json: String) -> [KafkaHeader]? { StoredHeaders.parse(json) }

    static let lockQuery = PostgresStatement("""
        SELECT CASE WHEN EXISTS (
                   SELECT 1 FROM pg_locks
                   WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                     AND objsubid = 1 AND classid::bigint = $2 AND objid::bigint = $3)
               THEN true ELSE pg_try_advisory_lock($1) END,
               pg_backend_pid()
        """)
    /// The oldest unsent seqs (in the pk's order, at most `limit`), then each one's row by its pk.
    /// The lateral subquery with `OFFSET 0` is never pulled up into a join: as a plain join, a plan
    /// made while the outbox was small hashed the whole outbox on every round (100+ ms a round at
    /// 40,000 rows). Each lookup is by index only because the relay's connection plans every
    /// execution at the tables' current size (``OutboxRelay/connectionConfiguration(_:)``).
    static let pendingQuery = PostgresStatement("""
        SELECT u.seq, o.topic, o.partition_key, o.headers, o.payload
        FROM (SELECT seq FROM outbox_unsent ORDER BY seq LIMIT $1) AS u
        CROSS JOIN LATERAL (
            SELECT topic, partition_key, headers, payload FROM outbox WHERE outbox.seq = u.seq OFFSET 0
        ) AS o
        ORDER BY u.seq
        """)
    static let markSentStatement = PostgresStatement("""
        WITH sent AS (
            DELETE FROM outbox_unsent WHERE seq = ANY($1::text[]::bigint[]) RETURNING seq
        ), noted AS (
            INSERT INTO outbox_sent_minutes (minute, lowest_seq) VALUES (date_trunc('minute', now()), $2)
            ON CONFLICT (minute) DO UPDATE SET lowest_seq = least(outbox_sent_minutes.lowest_seq, EXCLUDED.lowest_seq)
        )
        SELECT count(*) FROM sent
        """)
    static let backlogQuery = PostgresStatement("SELECT count(*) FROM outbox_unsent")

    /// The cluster id recorded in `outbox_broker`, nil before the first.
    static func brokerCluster(_ connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT cluster_id FROM outbox_broker").first?.decode(String.self, at: 0)
    }

    /// Records `cluster` as the one the outbox is published to.
    static func recordBrokerCluster(_ connection: PostgresConnection, _ cluster: String) throws {
        _ = try connection.execute("""
            INSERT INTO outbox_broker (cluster_id) VALUES ($1)
            ON CONFLICT (singleton) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, seen_at = now()
            """, [cluster])
    }
}
