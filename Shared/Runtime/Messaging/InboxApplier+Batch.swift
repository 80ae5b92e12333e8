import Foundation
import Models
import Postgres
import UUIDText

/// The batch fast path: a run of decodable events costs a few round trips instead of ~4 per
/// event. Inside ONE savepoint, one statement records every new event of the run in the inbox
/// (`unnest` of text arrays, `ON CONFLICT DO NOTHING RETURNING event_id` tells which were new),
/// and the handler applies the new events of its types in order with `handleBatch`, its outbox
/// events collected and written with one more statement. If anything in
/// that savepoint throws, it is rolled back entirely and the caller applies the run the per-event
/// way (`applyOneByOne`: per-event savepoints, counted attempts, dead letters), so a poison event
/// costs its batch one wasted try and every guarantee of the per-event path holds.
extension InboxApplier {
    /// The outcomes of `run` (all decoded), or nil when the batch savepoint failed and was rolled
    /// back. Throws when the connection broke (the transaction's failure, retried by the caller).
    func applyAtOnce(_ run: ArraySlice<InboxItem>, now: Date, on connection: PostgresConnection) throws -> [InboxOutcome]? {
        let accepted = handler.acceptedTypes
        var events: [EventEnvelope] = []
        events.reserveCapacity(run.count)
        for item in run {
            guard case .success(let event) = item.event else { return nil }
            events.append(event)
        }
        // An event delivered twice in one poll: its first copy is the candidate, the rest duplicates.
        var seen = Set<UUID>()
        let candidates = events.indices.filter { seen.insert(events[$0].id).inserted }
        let items = Array(run)
        do {
            return try connection.withSavepoint { connection in
                let inserted = try recordNew(candidates.map { (items[$0], events[$0]) }, accepted: accepted, on: connection)
                var outcomes = [InboxOutcome](repeating: .duplicate, count: events.count)
                var toApply: [EventEnvelope] = []
                for index in candidates where inserted.contains(events[index].id) {
                    if accepted.contains(events[index].type) {
                        outcomes[index] = .applied
                        toApply.append(events[index])
                    } else {
                        outcomes[index] = .skipped
                    }
                }
                if !toApply.isEmpty {
                    // The run's outbox events: one INSERT, inside the savepoint (see OutboxBuffer).
                    let buffer = OutboxBuffer()
                    try handler.handleBatch(toApply, context: HandlerContext(
                        connection: connection, outbox: buffer.writer(on: connection), now: now))
                    try buffer.flush(on: connection)
                }
                return outcomes
            }
        } catch {
            if !connection.isConnected { throw error }
            return nil
        }
    }

    /// Inserts the inbox rows of `events` in one statement; returns the ids that were new.
    private func recordNew(_ events: [(item: InboxItem, event: EventEnvelope)], accepted: Set<EventType>,
                           on connection: PostgresConnection) throws -> Set<UUID> {
        guard !events.isEmpty else { return [] }
        var ids: [String] = [], types: [String] = [], outcomes: [String] = []
        var topics: [String] = [], partitions: [String] = [], offsets: [String] = []
        for (item, event) in events {
            ids.append(event.id.canonicalText)
            types.append(event.type.description)
            outcomes.append(accepted.contains(event.type) ? "applied" : "skipped")
            topics.append(item.message.topic)
            partitions.append(String(item.message.partition))
            offsets.append(String(item.message.offset))
        }
        let rows = try connection.query(Self.insertInboxBatch, [consumer, ids, types, outcomes, topics, partitions, offsets])
        var inserted = Set<UUID>()
        for row in rows { inserted.insert(try row.decode(UUID.self, at: 0)) }
        return inserted
    }

    static let insertInboxBatch = PostgresStatement("""
        INSERT INTO inbox (consumer, event_id, event_type, outcome, source_topic, source_partition, source_offset)
        SELECT $1, e.id::uuid, e.type, e.outcome, e.topic, e.part::integer, e.pos::bigint
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS e(id, type, outcome, topic, part, pos)
        ON CONFLICT (consumer, event_id) DO NOTHING
        RETURNING event_id
        """)
}
