import Foundation
import Models
import Postgres
import UUIDText

/// Writes events to the service's transactional outbox, on the caller's connection and inside the
/// caller's transaction: the events are published (by the outbox relay) only if that transaction
/// commits.
///
/// A writer made with an ``OutboxBuffer`` (the runtime's batch fast paths) only collects the
/// events; the runtime writes them with one statement (``OutboxBuffer/flush(on:)``) before the
/// savepoint that holds the handlers' work is released, so they still commit with that work, in
/// the order they were appended.
public struct OutboxWriter {
    let connection: PostgresConnection
    let buffer: OutboxBuffer?

    public init(connection: PostgresConnection) {
        self.connection = connection
        buffer = nil
    }

    /// A writer that collects its events in `buffer` instead of writing them at once.
    init(connection: PostgresConnection, buffer: OutboxBuffer) {
        self.connection = connection
        self.buffer = buffer
    }

    /// Appends `envelope`, to be published on `topic` keyed by its partition key.
    public func append(_ envelope: EventEnvelope, topic: String) throws {
        if let buffer {
            buffer.events.append((envelope, topic))
            return
        }
        try connection.execute(
            Self.insert,
            [envelope.id, topic, envelope.partitionKey, envelope.type.description,
             Self.headersJSON(envelope), Array(envelope.payload)])
    }

    /// Appends several envelopes at once (one INSERT, or a COPY for larger batches), in order: each
    /// gets its seq as if appended one by one, so the relay publishes them in this order per key.
    public func append(contentsOf events: [(envelope: EventEnvelope, topic: String)]) throws {
        guard !events.isEmpty else { return }
        if let buffer {
            buffer.events.append(contentsOf: events)
            return
        }
        try Self.insertAll(events, on: connection)
    }

    /// Batches from this many events are written by COPY, after their keys' locks are taken at
    /// once (migration 13); smaller ones by one multi-row INSERT through the per-row trigger, which
    /// costs one round trip instead of three.
    static let copyFromEvents = 16

    /// The transaction-local setting that skips the outbox's per-row seq trigger (migration 13
    /// names it in its trigger's WHEN clause).
    static let keysLockedSetting = "ressus.outbox_keys_locked"

    /// Writes `events`, in order: each gets its seq as if appended one by one. If it throws, the
    /// trigger may stay off until the caller's transaction or savepoint is rolled back, which it
    /// must be (a failed statement leaves nothing else to do in it).
    static func insertAll(_ events: [(envelope: EventEnvelope, topic: String)], on connection: PostgresConnection) throws {
        guard events.count >= copyFromEvents else { return try insertThroughTrigger(events, on: connection) }
        // Per key, seq order = commit order (migration 10): this transaction holds every key's lock
        // before its rows draw their seqs, as the trigger would have made it do row by row.
        var keys = Set<String>()
        for (envelope, _) in events { keys.insert(envelope.partitionKey) }
        let drawn = try connection.query(lockKeys, [Array(keys), events.count])
        // Drawn after the locks, so every seq is above those of the keys' committed rows; sorted,
        // so the rows keep their order.
        let seqs = try drawn[0].decode(String.self, at: 0).split(separator: ",").compactMap { Int64($0) }.sorted()
        guard seqs.count == events.count else {
            throw PostgresError(kind: .misuse, message: "drew \(seqs.count) outbox seqs for \(events.count) events")
        }
        try connection.copy(into: "outbox", columns: ["seq", "event_id", "topic", "partition_key", "event_type", "headers", "payload"],
                            batchSize: events.count) { writer in
            for ((envelope, topic), seq) in zip(events, seqs) {
                try writer.append([seq, envelope.id, topic, envelope.partitionKey, envelope.type.description,
                                   headersJSON(envelope), Array(envelope.payload)])
            }
        }
        _ = try connection.query(recordUnsentAndUnlock, [seqs.map(String.init)])
    }

    /// One multi-row INSERT of `events`, in order, each row through the seq trigger.
    static func insertThroughTrigger(_ events: [(envelope: EventEnvelope, topic: String)], on connection: PostgresConnection) throws {
        var ids: [String] = [], topics: [String] = [], keys: [String] = []
        var types: [String] = [], headers: [String] = [], payloads: [String] = []
        for (envelope, topic) in events {
            ids.append(envelope.id.canonicalText)
            topics.append(topic)
            keys.append(envelope.partitionKey)
            types.append(envelope.type.description)
            headers.append(Self.headersJSON(envelope))
            payloads.append(Self.byteaHex(envelope.payload))
        }
        try connection.execute(insertMany, [ids, topics, keys, types, headers, payloads])
    }

    /// The stored CloudEvents headers: a JSON array of one-entry objects, in header order
    /// (`[{"ce_id":"..."},...]`). Written by hand: `JSONSerialization` took a third of the
    /// runtime benchmark's CPU.
    package static func headersJSON(_ envelope: EventEnvelope) -> String {
        var json: [UInt8] = [UInt8(ascii: "[")]
        json.reserveCapacity(400)
        for (index, header) in CloudEventHeaders.encode(envelope).enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "{"))
            appendJSONString(header.name.utf8, to: &json)
            json.append(UInt8(ascii: ":"))
            appendJSONString(String(decoding: header.value, as: UTF8.self).utf8, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
        return String(decoding: json, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal (RFC 8259 section 7: quote, backslash and control
    /// characters escaped; other UTF-8 passes through).
    static func appendJSONString<Text: Sequence<UInt8>>(_ text: Text, to json: inout [UInt8]) {
        let hex = hexDigits
        json.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                json.append(UInt8(ascii: "\\"))
                json.append(byte)
            case 0..<0x20:
                json.append(contentsOf: Array("\\u00".utf8))
                json.append(hex[Int(byte >> 4)])
                json.append(hex[Int(byte & 0x0f)])
            default:
                json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// `bytes` in bytea's hex input format (`\x0a1b...`), to travel in a text array.
    package static func byteaHex(_ bytes: Data) -> String {
        let digits = hexDigits
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Wraps a typed event in an envelope and appends it; returns the envelope.
    @discardableResult
    public func append<E: DomainEvent>(
        _ event: E, topic: String, source: String, time: Date,
        causedBy cause: EventEnvelope? = nil
    ) throws -> EventEnvelope {
        let envelope = try EventEnvelope.wrapping(
            event, source: source, time: time,
            causationId: cause?.id, correlationId: cause.map { $0.correlationId ?? $0.id })
        try append(envelope, topic: topic)
        return envelope
    }

    /// Takes the keys' advisory locks, in key order (two single batches never wait for each other in
    /// a cycle; transactions that append several times can, as with the trigger: SQLSTATE 40P01, see
    /// migration 10), with the ids migration 10's trigger computes from the outbox table's schema,
    /// turns the trigger off for this transaction's next rows (``recordUnsentAndUnlock`` turns it
    /// back on), and then draws `$2` seqs, returned as comma-separated text (the sequence is looked
    /// up once, in the materialized CTE, not per row as a pulled-up subquery would).
    /// Outside a transaction the locks and the setting would end with the statement, and the COPY
    /// would go through the trigger, which draws its own seqs and records its rows unsent: still
    /// in order, and ``recordUnsentAndUnlock`` then records none of the drawn seqs.
    static let lockKeys = PostgresStatement("""
        WITH locked AS (
            SELECT set_config('\(keysLockedSetting)', 'on', true),
                   (SELECT count(pg_advisory_xact_lock(hashtextextended(
                               (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                WHERE c.oid = 'outbox'::regclass) || '.outbox.key:' || k.key, 0)))
                    FROM (SELECT DISTINCT key FROM unnest($1::text[]) AS key ORDER BY key) AS k) AS keys,
                   pg_get_serial_sequence('outbox', 'seq')::regclass AS sequence
        )
        SELECT string_agg(nextval(locked.sequence)::text, ',') FROM locked, generate_series(1, $2::int)
        """)
    /// Records the batch's seqs as unsent (runtime migration 14) and turns the per-row trigger back
    /// on. The seqs are the COPY's rows exactly when the setting is still 'on' (the trigger skipped
    /// them); outside a transaction it is already off, the trigger recorded its own seqs, and the
    /// drawn ones are not recorded (see ``lockKeys``). No table is read, so no cached plan can turn
    /// this into a scan. The setting is turned off only after the insert has read it: the outer
    /// SELECT runs once per row of `done`, which needs every row of `unsent`.
    static let recordUnsentAndUnlock = PostgresStatement("""
        WITH unsent AS (
            INSERT INTO outbox_unsent (seq)
            SELECT unnest($1::text[]::bigint[])
            WHERE current_setting('\(keysLockedSetting)', true) = 'on'
            RETURNING 1
        )
        SELECT set_config('\(keysLockedSetting)', 'off', true) FROM (SELECT count(*) FROM unsent) AS done
        """)

    static let insert = PostgresStatement("""
        INSERT INTO outbox (event_id, topic, partition_key, event_type, headers, payload)
        VALUES ($1, $2, $3, $4, $5, $6)
        """)
    /// Rows in array order (`WITH ORDINALITY` ... `ORDER BY`): the seq trigger (migration 10)
    /// fires per row in that order.
    static let insertMany = PostgresStatement("""
        INSERT INTO outbox (event_id, topic, partition_key, event_type, headers, payload)
        SELECT e.id::uuid, e.topic, e.key, e.type, e.headers, e.payload::bytea
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            WITH ORDINALITY AS e(id, topic, key, type, headers, payload, position)
        ORDER BY e.position
        """)
}

/// Events appended through a buffering ``OutboxWriter``, waiting for one multi-row INSERT. Used by
/// one batch on one connection at a time (not shared between tasks).
public final class OutboxBuffer: @unchecked Sendable {
    var events: [(envelope: EventEnvelope, topic: String)] = []

    public init() {}

    /// A writer on `connection` that appends to this buffer.
    public func writer(on connection: PostgresConnection) -> OutboxWriter {
        OutboxWriter(connection: connection, buffer: self)
    }

    /// Writes the collected events (one statement) and empties the buffer.
    public func flush(on connection: PostgresConnection) throws {
        guard !events.isEmpty else { return }
        try OutboxWriter.insertAll(events, on: connection)
        events.removeAll(keepingCapacity: true)
    }
}
