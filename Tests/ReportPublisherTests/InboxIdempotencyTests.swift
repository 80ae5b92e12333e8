import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

/// The service's handler sits behind its inbox (`ReadModelHandler(idempotency: .inbox)`): it records
/// no applied ids, yet builds what the recording handler builds, and after a rebuild it skips the
/// events the rebuild applied that the service had not met, and only those.
@Suite("Read model behind the inbox", .serialized)
struct InboxIdempotencyTests {
    /// The batch tests' first cycle, each id once (the inbox delivers each id to the handler once).
    static func distinctEvents() throws -> [EventEnvelope] {
        var seen = Set<UUID>()
        return try ReadModelBatchTests.allEvents()[0].filter { seen.insert($0.id).inserted }
    }

    /// Applies `events` with `handleBatch` in batches of `size`, one transaction each.
    static func apply(_ events: ArraySlice<EventEnvelope>, size: Int, idempotency: ReadModelHandler.Idempotency,
                      on pool: PostgresPool) async throws {
        for start in stride(from: events.startIndex, to: events.endIndex, by: size) {
            let batch = Array(events[start..<min(start + size, events.endIndex)])
            try await pool.withTransaction { c in
                try ReadModelHandler(idempotency: idempotency).handleBatch(
                    batch, context: HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date()))
            }
        }
    }

    /// The read model as `ReadModelBatchTests.snapshot` gives it, without the applied ids.
    static func readModel(_ pool: PostgresPool) async throws -> [String: [String]] {
        var tables = try await ReadModelBatchTests.snapshot(pool)
        tables["rm_applied_events"] = nil
        return tables
    }

    static func appliedIDs(_ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { try $0.query("SELECT count(*)::int FROM rm_applied_events")[0].decode(Int.self, at: 0) }
    }

    /// Each event applied once with the recording handler, in batches of `size`.
    static func appliedOnce(_ events: [EventEnvelope], size: Int) async throws -> [String: [String]] {
        try await Fixture.with { fixture in
            try await apply(events[...], size: size, idempotency: .recordedIDs, on: fixture.pool)
            #expect(try await appliedIDs(fixture.pool) == events.count)
            return try await readModel(fixture.pool)
        }
    }

    @Test("behind the inbox the handler records no id and builds the same read model")
    func sameReadModelWithoutRecordedIDs() async throws {
        let events = try Self.distinctEvents()
        let expected = try await Self.appliedOnce(events, size: 7)
        try await Fixture.with { fixture in
            try await Self.apply(events[...], size: 7, idempotency: .inbox, on: fixture.pool)
            #expect(try await Self.appliedIDs(fixture.pool) == 0)
            #expect(try await Self.readModel(fixture.pool) == expected)
        }
    }

    @Test("after a rebuild the service skips the events the rebuild applied and it had not met, and forgets them")
    func serviceAfterRebuild() async throws {
        let events = try Self.distinctEvents()
        let third = events.count / 3
        let expected = try await Self.appliedOnce(events, size: 5)
        // One event of the first third the service had dead-lettered (a GRU state change: applied twice,
        // it would add a second history row).
        let deadLettered = try #require(events.prefix(third).firstIndex { $0.type == GRUStateChanged.eventType })
        try await Fixture.with { fixture in
            // The service had met the first third (its inbox holds them) when it was stopped; the
            // rebuild then applied the first two thirds (all the topics held at the time).
            try await fixture.pool.withTransaction { c in
                for (offset, event) in events.prefix(third).enumerated() {
                    _ = try c.execute("""
                        INSERT INTO inbox (consumer, event_id, event_type, outcome, source_topic, source_partition, source_offset)
                        VALUES ('report-publisher', $1, $2, $3, 'ressus.test', 0, $4)
                        """, [event.id, event.type.description, offset == deadLettered ? "dead_lettered" : "applied", Int64(offset)])
                }
            }
            try await fixture.pool.withTransaction { c in
                let context = HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date())
                for event in events.prefix(2 * third) { try ReadModelHandler().handle(event, context: context) }
                try ReadModelRebuild.forgetSeenByService(on: c)
            }
            #expect(try await Self.appliedIDs(fixture.pool) == third + 1, "kept: the ids the service has not applied")
            // The service goes on from its committed offsets (the second and last thirds), and the
            // dead letter is re-driven.
            try await Self.apply(events[third...] + [events[deadLettered]], size: 5, idempotency: .inbox, on: fixture.pool)
            #expect(try await Self.appliedIDs(fixture.pool) == 0)
            #expect(try await Self.readModel(fixture.pool) == expected)
        }
    }
}
