import BenchmarkSupport
import Foundation
import LoadGeneration
import Runtime

/// The database floor of a throughput run: the rows the design writes for its events, loaded by
/// `psql \copy` (the fastest way PostgreSQL takes rows) into empty tables, with no Kafka and no
/// relay or consumer logic. Each service's side runs in its own psql, both at once, as the two
/// services would. No implementation that writes those rows can be faster on this machine, so
/// the floor's ratio to the ceiling bounds the ratio the pipeline can reach.
///
/// Writer side: the state rows, the outbox rows, their unsent entries, and the relay's removal of
/// those entries once sent. Consumer side: the inbox rows and the effect rows.
struct DatabaseFloor {
    /// Which tables the rows go into.
    enum Tables: CaseIterable {
        /// Empty copies of the runtime's tables (`LIKE … INCLUDING ALL`: columns, keys, indexes,
        /// checks; no trigger, as the outbox's COPY path skips it).
        case runtime
        /// The least any outbox and inbox could keep: outbox rows keyed by seq alone, headers as
        /// text, no unsent list; inbox rows of the event id alone, its primary key. Not a design
        /// (nothing would know what is unsent), a lower bound below the runtime's.
        case stripped

        var shortName: String {
            switch self {
            case .runtime: "runtime's tables"
            case .stripped: "stripped tables"
            }
        }

        var description: String {
            switch self {
            case .runtime: "copies of the runtime's tables"
            case .stripped: "stripped tables (outbox keyed by seq, headers as text, no unsent list; inbox of event ids)"
            }
        }
    }

    let pipeline: BenchmarkPipeline
    let events: Int
    let eventsPerTransaction: Int

    /// Seconds from starting both sides to both finishing (each psql's start-up included, as in
    /// the ceiling), after checking every table holds its rows.
    func measure(_ tables: Tables) async throws -> Double {
        let files = try RowFiles(pipeline: pipeline, events: events, eventsPerTransaction: eventsPerTransaction)
        defer { files.remove() }
        try await create(tables)
        let url = pipeline.databaseURL, outbox = pipeline.outboxSchema, inbox = pipeline.inboxSchema
        let writerSide = [
            "\\copy \(outbox).floor_state (id, operadora, amount_centavos, events, updated_at) FROM '\(files.state.path)'",
            "\\copy \(outbox).floor_outbox (seq, event_id, topic, partition_key, event_type, headers, payload) FROM '\(files.outbox.path)'",
        ] + (tables == .runtime ? [
            "\\copy \(outbox).floor_outbox_unsent (seq) FROM '\(files.unsent.path)'",
            "DELETE FROM \(outbox).floor_outbox_unsent",
        ] : [])
        let consumerSide = [
            tables == .runtime
                ? "\\copy \(inbox).floor_inbox (consumer, event_id, event_type, outcome, source_topic, source_partition, source_offset) FROM '\(files.inbox.path)'"
                : "\\copy \(inbox).floor_inbox (event_id) FROM '\(files.inboxIDs.path)'",
            "\\copy \(inbox).floor_effects (event_id, partition_key, sequence, applied_at) FROM '\(files.effects.path)'",
        ]
        let elapsed = try await seconds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runPsql(url, commands: writerSide) }
                group.addTask { try await runPsql(url, commands: consumerSide) }
                try await group.waitForAll()
            }
        }
        try await verify(tables)
        try await dropTables()
        return elapsed
    }

    /// Creates the floor's tables, then a CHECKPOINT, as before the ceiling.
    private func create(_ tables: Tables) async throws {
        let outboxTables, inboxTables: String
        switch tables {
        case .runtime:
            outboxTables = """
                CREATE TABLE floor_outbox (LIKE outbox INCLUDING ALL);
                CREATE TABLE floor_outbox_unsent (LIKE outbox_unsent INCLUDING ALL);
                """
            inboxTables = "CREATE TABLE floor_inbox (LIKE inbox INCLUDING ALL);"
        case .stripped:
            outboxTables = """
                CREATE TABLE floor_outbox (seq bigint PRIMARY KEY, event_id uuid NOT NULL, topic text NOT NULL,
                    partition_key text NOT NULL, event_type text NOT NULL, headers text NOT NULL, payload bytea NOT NULL);
                """
            inboxTables = "CREATE TABLE floor_inbox (event_id uuid PRIMARY KEY);"
        }
        try await pipeline.writerPool.withConnection {
            try $0.executeScript("CREATE TABLE floor_state (LIKE state INCLUDING ALL);" + outboxTables)
        }
        try await pipeline.inboxPool.withConnection {
            try $0.executeScript("CREATE TABLE floor_effects (LIKE effects INCLUDING ALL);" + inboxTables + "CHECKPOINT")
        }
    }

    /// Drops the floor's tables, so nothing of them (autovacuum) runs beside what comes next.
    private func dropTables() async throws {
        try await pipeline.writerPool.withConnection {
            try $0.executeScript("DROP TABLE IF EXISTS floor_state, floor_outbox, floor_outbox_unsent")
        }
        try await pipeline.inboxPool.withConnection {
            try $0.executeScript("DROP TABLE IF EXISTS floor_inbox, floor_effects")
        }
    }

    /// Every event's outbox, inbox and effect row is there, and nothing is left unsent.
    private func verify(_ tables: Tables) async throws {
        let outbox = try await pipeline.count("SELECT count(*) FROM floor_outbox", in: pipeline.writerPool)
        let unsent = tables == .runtime
            ? try await pipeline.count("SELECT count(*) FROM floor_outbox_unsent", in: pipeline.writerPool) : 0
        let inbox = try await pipeline.count("SELECT count(*) FROM floor_inbox", in: pipeline.inboxPool)
        let effects = try await pipeline.count("SELECT count(*) FROM floor_effects", in: pipeline.inboxPool)
        guard outbox == events, inbox == events, effects == events, unsent == 0 else {
            throw BenchmarkFailure("floor loaded \(outbox) outbox, \(inbox) inbox and \(effects) effect rows of \(events), \(unsent) left unsent")
        }
    }
}

/// The floor's input: the rows a run of `events` events writes, in COPY text format, in temporary
/// files, written as they are made (so the files never sit in memory). Events, keys and headers as
/// the throughput run makes them.
private struct RowFiles {
    let state, outbox, unsent, inbox, inboxIDs, effects: URL

    init(pipeline: BenchmarkPipeline, events: Int, eventsPerTransaction: Int) throws {
        let directory = FileManager.default.temporaryDirectory
        func file(_ name: String) -> URL { directory.appendingPathComponent("\(pipeline.outboxSchema)-floor-\(name).tsv") }
        (state, outbox, unsent, inbox, inboxIDs, effects) =
            (file("state"), file("outbox"), file("unsent"), file("inbox"), file("inbox-ids"), file("effects"))
        let writers = try [state, outbox, unsent, inbox, inboxIDs, effects].map { try CSVLineWriter(path: $0.path, header: nil) }
        func line(_ file: Int, _ text: String) {
            writers[file].append(text)
            writers[file].endLine()
        }
        let topic = pipeline.topic, type = BenchmarkPipeline.eventType.description
        let consumer = "bench-runtime-\(pipeline.topic)", time = "2026-11-23 12:00:00+00"
        for transaction in 0..<(events + eventsPerTransaction - 1) / eventsPerTransaction {
            let first = transaction * eventsPerTransaction, count = min(eventsPerTransaction, events - first)
            let key = BenchmarkPipeline.key(transaction)
            writers[0].append(StateRow(transaction, operadora: key, events: count).textLine)
            for index in first..<first + count {
                let sequence = transaction / BenchmarkPipeline.keys * eventsPerTransaction + index - first
                let event = BenchmarkPipeline.event(key: key, sequence: sequence)
                let id = event.id.uuidString.lowercased()
                // COPY text format: a backslash is written doubled (bytea's `\x` prefix included).
                let headers = OutboxWriter.headersJSON(event).replacingOccurrences(of: "\\", with: "\\\\")
                let payload = "\\" + OutboxWriter.byteaHex(event.payload)
                line(1, "\(index + 1)\t\(id)\t\(topic)\t\(key)\t\(type)\t\(headers)\t\(payload)")
                line(2, "\(index + 1)")
                line(3, "\(consumer)\t\(id)\t\(type)\tapplied\t\(topic)\t\(index % 3)\t\(index / 3)")
                line(4, "\(id)")
                line(5, "\(id)\t\(key)\t\(sequence)\t\(time)")
            }
        }
        for writer in writers { try writer.close() }
    }

    func remove() {
        for url in [state, outbox, unsent, inbox, inboxIDs, effects] { try? FileManager.default.removeItem(at: url) }
    }
}
