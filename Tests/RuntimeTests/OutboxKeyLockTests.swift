import Foundation
import Models
import Postgres
@testable import Runtime
import Testing

/// A batch written by COPY (migration 13) takes the same per-key locks as the per-row trigger, so
/// per key, seq order stays commit order whichever way each writer goes.
@Suite struct OutboxKeyLockTests {
    /// A batch large enough for the COPY path, for `key`.
    private func batch(_ key: String, from first: Int) -> [(envelope: EventEnvelope, topic: String)] {
        #expect(OutboxWriter.copyFromEvents <= 20)
        return (first..<first + 20).map { (OutboxFixture.envelope(key: key, index: $0), "t") }
    }

    @Test func aRowWriterWaitsForABatchWriterOfItsKeyAndTheOtherWayRound() async throws {
        let fixture = try await OutboxFixture.make(createTopic: false)
        defer { Task { await fixture.tearDown() } }
        let first = try Session(fixture.database).connection
        let second = try Session(fixture.database).connection
        let observer = try PostgresConnection(configuration: fixture.database)
        defer { first.close(); second.close(); observer.close() }

        // 1. The batch writer holds "k"; a row writer of "k" waits until it commits.
        try first.executeScript("BEGIN")
        try OutboxWriter(connection: first).append(contentsOf: batch("k", from: 0))
        let single = OutboxFixture.envelope(key: "k", index: 100)
        let rowWriter = Self.inBackground(second) { second in
            try second.executeScript("BEGIN")
            try OutboxWriter(connection: second).append(single, topic: "t")
            try second.executeScript("COMMIT")
        }
        #expect(try await Self.someoneWaits(observer))
        try first.executeScript("COMMIT")
        try await rowWriter.value

        // 2. The row writer holds "k"; a batch writer of "k" (and another key) waits for it.
        try second.executeScript("BEGIN")
        try OutboxWriter(connection: second).append(OutboxFixture.envelope(key: "k", index: 200), topic: "t")
        let batchWriter = Self.inBackground(first) { first in
            try first.executeScript("BEGIN")
            try OutboxWriter(connection: first).append(contentsOf: batch("a", from: 300) + batch("k", from: 400))
            try first.executeScript("COMMIT")
        }
        #expect(try await Self.someoneWaits(observer))
        try second.executeScript("COMMIT")
        try await batchWriter.value

        // Per key, seq order is commit order: 0-19, 100, 200, 400-419 for "k".
        let rows = try await fixture.rowsInSeqOrder().filter { $0.key == "k" }
        let indexes = try await fixture.pool.withConnection { connection in
            try connection.query("SELECT (convert_from(payload, 'UTF8')::jsonb->>'index')::int FROM outbox WHERE partition_key = 'k' ORDER BY seq")
                .map { try $0.decode(Int.self, at: 0) }
        }
        #expect(rows.count == 42)
        #expect(indexes == Array(0..<20) + [100, 200] + Array(400..<420))
    }

    /// After a batch, the trigger is on again: a row appended later in the same transaction takes
    /// its key's lock itself.
    @Test func theTriggerIsBackOnAfterABatch() async throws {
        try await withConnection { connection in
            try connection.executeScript("BEGIN")
            try OutboxWriter(connection: connection).append(contentsOf: batch("k", from: 0))
            let setting = try connection.query("SELECT current_setting('\(OutboxWriter.keysLockedSetting)', true)")[0]
                .decode(String.self, at: 0)
            #expect(setting == "off")
            try OutboxWriter(connection: connection).append(OutboxFixture.envelope(key: "z", index: 1), topic: "t")
            let locks = try connection.query("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                """)[0].decode(Int.self, at: 0)
            #expect(locks == 2)  // "k" by the batch, "z" by the trigger
            try connection.executeScript("COMMIT")
        }
    }

    /// Every row a batch writes is listed unsent exactly once, and no other seq is: inside a
    /// transaction (COPY with drawn seqs, recorded by the writer) and outside one (the setting ends
    /// with its statement, so the COPY goes through the trigger, which records its own seqs and the
    /// drawn ones must not be). A seq listed without its row would never be published or forgotten.
    @Test func aBatchListsExactlyItsRowsUnsentInAndOutsideATransaction() async throws {
        try await withConnection { connection in
            try connection.executeScript("BEGIN")
            try OutboxWriter(connection: connection).append(contentsOf: batch("k", from: 0))
            try connection.executeScript("COMMIT")
            try OutboxWriter(connection: connection).append(contentsOf: batch("k", from: 100))

            let (rows, unsent, listedWithoutRow) = try (
                connection.query("SELECT count(*) FROM outbox")[0].decode(Int.self, at: 0),
                connection.query("SELECT count(*) FROM outbox WHERE \(OutboxFixture.unsent)")[0].decode(Int.self, at: 0),
                connection.query("SELECT count(*) FROM outbox_unsent u WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.seq = u.seq)")[0]
                    .decode(Int.self, at: 0))
            #expect(rows == 40)
            #expect(unsent == 40)
            #expect(listedWithoutRow == 0)
        }
    }

    /// Runs `body` with one connection to a new outbox schema (no topic), dropped afterwards.
    private func withConnection(_ body: (PostgresConnection) async throws -> Void) async throws {
        let fixture = try await OutboxFixture.make(createTopic: false)
        defer { Task { await fixture.tearDown() } }
        let connection = try PostgresConnection(configuration: fixture.database)
        defer { connection.close() }
        try await body(connection)
    }

    /// A connection handed to one other thread while this test waits (never used by both at once).
    private final class Session: @unchecked Sendable {
        let connection: PostgresConnection
        init(_ configuration: PostgresConfiguration) throws { connection = try PostgresConnection(configuration: configuration) }
        init(_ connection: PostgresConnection) { self.connection = connection }
    }

    /// Runs blocking work on `connection` on a thread of its own, off the cooperative pool.
    private static func inBackground(_ connection: PostgresConnection,
                                     _ work: @escaping @Sendable (PostgresConnection) throws -> Void) -> Task<Void, any Error> {
        let session = Session(connection)
        return Task {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                Thread { continuation.resume(with: Result { try work(session.connection) }) }.start()
            }
        }
    }

    /// True once some session waits for an advisory lock (within 10 s).
    private static func someoneWaits(_ observer: PostgresConnection) async throws -> Bool {
        try await eventually(within: .seconds(10)) {
            try observer.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")[0]
                .decode(Int.self, at: 0) > 0
        }
    }
}
