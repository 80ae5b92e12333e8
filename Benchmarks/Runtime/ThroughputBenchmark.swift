import BenchmarkSupport
import Foundation
import Postgres
import Runtime

/// End to end: from the first outbox append to the last effect committed by the consumer.
struct ThroughputBenchmark {
    static let eventsPerTransaction = 500
    let pipeline: BenchmarkPipeline
    let events: Int
    let writers: Int

    func run() async throws {
        report("runtime benchmark: \(events) events, transactions of \(Self.eventsPerTransaction) events + 1 state row, "
              + "\(writers) writers, \(BenchmarkPipeline.keys) keys, 3 partitions; steps \(pipeline.steps.description); "
              + "relay batch \(pipeline.relayBatch.map(String.init) ?? "default"), consumer batch \(pipeline.consumerBatch.map(String.init) ?? "default")")
        let ceiling = try await PsqlCeiling.measure(rows: events, pipeline: pipeline)
        report(String(format: "  psql \\copy of %d state rows: %.0f rows/s (%.0f rows/s without psql start-up)",
                     events, ceiling.rowsPerSecond, ceiling.rowsPerSecondWithoutStartup))
        let floors = try await measureFloors(ceiling: ceiling.rowsPerSecond)
        try await pipeline.writerPool.withConnection { try $0.executeScript("CHECKPOINT") }

        let running = try await pipeline.start()
        let start = ContinuousClock.now
        let appended = try await seconds { try await append() }
        let published = try await running.waitUntilPublished(1 + events, timeout: .seconds(900))
        try await running.waitUntilApplied(1 + events, timeout: .seconds(900))
        let elapsed = (ContinuousClock.now - start).seconds
        try await running.stop()
        try await verify()

        let rate = Double(events) / elapsed
        report(String(format: "  appended to the outbox in %.2f s (%.0f events/s)", appended, Double(events) / appended))
        report(String(format: "  published by the relay %.2f s after the first append", (published - start).seconds))
        report(String(format: "  end to end (first append -> last effect committed): %.2f s, %.0f events/s", elapsed, rate))
        report(String(format: "  ratio to psql \\copy: %.3f (target >= 0.40); without psql start-up: %.3f",
                     rate / ceiling.rowsPerSecond, rate / ceiling.rowsPerSecondWithoutStartup))
        report(String(format: "  peak RSS (VmHWM): %.1f MiB", ProcessMemory.peakMiB))
        for (tables, floorRate) in floors {
            report(String(format: "  pipeline / database floor (%@): %.3f", tables.shortName, rate / floorRate))
        }
    }

    /// The database floor of the same events (see ``DatabaseFloor``) in both table shapes, measured
    /// like the ceiling before the pipeline runs (after it, autovacuum of the pipeline's tables would
    /// compete): events/s of each.
    private func measureFloors(ceiling: Double) async throws -> [(DatabaseFloor.Tables, Double)] {
        let floor = DatabaseFloor(pipeline: pipeline, events: events, eventsPerTransaction: Self.eventsPerTransaction)
        var rates: [(DatabaseFloor.Tables, Double)] = []
        for tables in DatabaseFloor.Tables.allCases {
            let elapsed = try await floor.measure(tables)
            let rate = Double(events) / elapsed
            report(String(format: "  database floor, %@: %.2f s, %.0f events/s, ratio to psql \\copy %.3f",
                          tables.description, elapsed, rate, rate / ceiling))
            rates.append((tables, rate))
        }
        return rates
    }

    /// The writers: each transaction writes one state row and its events (one key per transaction,
    /// as one operadora's change); transaction t goes to writer t % writers.
    private func append() async throws {
        let transactions = (events + Self.eventsPerTransaction - 1) / Self.eventsPerTransaction
        let pool = pipeline.writerPool, topic = pipeline.topic, events = self.events, writers = self.writers
        let batched = pipeline.steps.outboxBatches
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for transaction in stride(from: writer, to: transactions, by: writers) {
                        let first = transaction * Self.eventsPerTransaction
                        let count = min(Self.eventsPerTransaction, events - first)
                        let key = BenchmarkPipeline.key(transaction)
                        let firstSequence = transaction / BenchmarkPipeline.keys * Self.eventsPerTransaction
                        try await pool.withTransaction { connection in
                            let now = Date()
                            try connection.execute(StateRow.insert,
                                                   StateRow(transaction, operadora: key, events: count).values(at: now))
                            let outbox = OutboxWriter(connection: connection)
                            let sequences = firstSequence..<firstSequence + count
                            if batched {
                                try outbox.append(contentsOf: sequences.map {
                                    (BenchmarkPipeline.event(key: key, sequence: $0), topic) })
                            } else {
                                for sequence in sequences {
                                    try outbox.append(BenchmarkPipeline.event(key: key, sequence: sequence), topic: topic)
                                }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Every event has one effect; every outbox row was published.
    private func verify() async throws {
        let effects = try await pipeline.count("SELECT count(DISTINCT event_id) FROM effects", in: pipeline.inboxPool)
        let pending = try await pipeline.count("SELECT count(*) FROM outbox_unsent", in: pipeline.writerPool)
        guard effects == events + 1, pending == 0 else {
            throw BenchmarkFailure("expected \(events + 1) effects and no pending row; found \(effects) and \(pending)")
        }
    }
}
