import BenchmarkSupport
import Foundation
import Models
import Postgres
import Runtime

/// The durable scheduler's firing rate: N due items whose handler writes one row and appends one
/// outbox event (as a deadline or an operator request does), fired by `SchedulerWorker.fireDue()`
/// one by one (a savepoint, a "done" UPDATE and an outbox INSERT per item) and at once
/// (`SchedulerPolicy.fireBatchesAtOnce`), alternately in the same run and schema, against the
/// `psql \copy` ceiling of N state rows.
struct SchedulerBenchmark {
    static let kind = "benchmark.deadline"
    static let rounds = 2
    let pipeline: BenchmarkPipeline
    let items: Int

    struct Fired: DomainEvent {
        static let eventType = EventType.ressus("benchmark.deadline-passed", version: 1)
        var key: String
        var partitionKey: String { key }
    }

    func run() async throws {
        report("scheduler benchmark: \(items) due items, one row and one outbox event each, batches of "
              + "\(SchedulerPolicy().batchSize); one by one and at once alternately, \(Self.rounds) rounds each")
        let ceiling = try await PsqlCeiling.measure(rows: items, pipeline: pipeline)
        report(String(format: "  psql \\copy of %d state rows: %.0f rows/s", items, ceiling.rowsPerSecond))
        try await pipeline.writerPool.withConnection { connection in
            try connection.executeScript("CREATE TABLE scheduled_effects (work_key text NOT NULL, fired_at timestamptz NOT NULL)")
        }
        var rates: [Bool: [Double]] = [:]
        for _ in 0..<Self.rounds {
            for atOnce in [false, true] {
                let rate = try await fireAll(atOnce: atOnce)
                rates[atOnce, default: []].append(rate)
                report(String(format: "  %@: %.0f items/s (ratio to \\copy %.3f)",
                              atOnce ? "at once   " : "one by one", rate, rate / ceiling.rowsPerSecond))
            }
        }
        let best = { (atOnce: Bool) in rates[atOnce]?.max() ?? 0 }
        report(String(format: "  best at once / best one by one: %.2f×; peak RSS %.1f MiB",
                      best(true) / best(false), ProcessMemory.peakMiB))
    }

    /// Schedules the items (not timed), fires them all, checks every effect; returns items/s.
    private func fireAll(atOnce: Bool) async throws -> Double {
        let pool = pipeline.writerPool, items = self.items, topic = pipeline.topic
        let start = Date(timeIntervalSince1970: 1_767_000_000)
        try await pool.withConnection { try $0.executeScript("TRUNCATE scheduled_work, scheduled_effects, outbox") }
        try await pool.withTransaction { connection in
            for chunk in stride(from: 0, to: items, by: 1_000) {
                try ScheduledWork.schedule((chunk..<min(chunk + 1_000, items)).map { index in
                    ScheduledWork.Item(kind: Self.kind, key: "item-\(index)", dueAt: start.addingTimeInterval(Double(index % 97)))
                }, on: connection)
            }
        }
        let handler = ScheduledWorkClosure(kind: Self.kind) { item, context in
            _ = try context.connection.execute(Self.insertEffect, [item.key, context.now])
            try context.outbox.append(Fired(key: item.key), topic: topic, source: "/ressus/runtime-benchmark", time: item.dueAt)
        }
        let worker = SchedulerWorker(
            database: pool, clock: SimulatedClock(startingAt: start.addingTimeInterval(3_600)), handlers: [handler],
            policy: SchedulerPolicy(fireBatchesAtOnce: atOnce), serviceName: "runtime-benchmark",
            logger: BenchmarkPipeline.logger)
        let began = ContinuousClock.now
        let fired = try await worker.fireDue().fired
        let elapsed = (ContinuousClock.now - began).seconds
        let effects = try await pipeline.count("SELECT count(DISTINCT work_key) FROM scheduled_effects", in: pool)
        let events = try await pipeline.count("SELECT count(*) FROM outbox", in: pool)
        guard fired == items, effects == items, events == items else {
            throw BenchmarkFailure("fired \(fired), effects \(effects), events \(events); expected \(items) each")
        }
        return Double(items) / elapsed
    }

    static let insertEffect = PostgresStatement("INSERT INTO scheduled_effects (work_key, fired_at) VALUES ($1, $2)")
}
