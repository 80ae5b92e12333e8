import BenchmarkSupport
import Foundation
import Models
import Postgres
import Runtime

/// Memory under backlog: the outbox is filled first (COPY), then relay and consumer drain it.
struct BacklogBenchmark {
    static let copyChunk = 100_000
    let pipeline: BenchmarkPipeline
    let events: Int

    func run() async throws {
        report("runtime backlog benchmark: \(events) events in the outbox before relay and consumer start")
        let filled = try await seconds { try await fill() }
        report(String(format: "  outbox filled by COPY in %.1f s (%.0f rows/s); RSS %.1f MiB, peak %.1f MiB",
                     filled, Double(events) / filled, ProcessMemory.currentMiB, ProcessMemory.peakMiB))
        let peakBeforeDrain = ProcessMemory.peakMiB

        let start = ContinuousClock.now
        let running = try await pipeline.start(warmUp: false)
        var highestRSS = ProcessMemory.currentMiB
        var last = (time: start, applied: 0)
        while running.applied < events {
            try await Task.sleep(for: .seconds(5))
            let now = ContinuousClock.now, applied = running.applied
            let pending = try await pipeline.count(
                "SELECT count(*) FROM outbox_unsent", in: pipeline.writerPool)
            let rss = ProcessMemory.currentMiB
            highestRSS = max(highestRSS, rss)
            report(String(format: "  %6.1f s: %d applied (%.0f events/s), backlog %d in the outbox, %d not yet applied; RSS %.1f MiB",
                         (now - start).seconds, applied, Double(applied - last.applied) / (now - last.time).seconds,
                         pending, events - applied, rss))
            last = (now, applied)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        try await running.stop()
        report(String(format: "  drained %d events in %.1f s: %.0f events/s (includes the consumer joining its group)",
                     events, elapsed, Double(events) / elapsed))
        report(String(format: "  peak RSS: %.1f MiB overall (VmHWM), %.1f MiB before draining, highest sampled while draining %.1f MiB",
                     ProcessMemory.peakMiB, peakBeforeDrain, highestRSS))
    }

    /// COPYs the events into the outbox in chunks, with the headers `OutboxWriter` stores.
    private func fill() async throws {
        let topic = pipeline.topic, type = BenchmarkPipeline.eventType.description
        for chunk in stride(from: 0, to: events, by: Self.copyChunk) {
            let end = min(chunk + Self.copyChunk, events)
            _ = try await pipeline.writerPool.withConnection { connection in
                try connection.copy(
                    into: "outbox", columns: ["event_id", "topic", "partition_key", "event_type", "headers", "payload"]
                ) { writer in
                    for index in chunk..<end {
                        let key = BenchmarkPipeline.key(index)
                        let event = BenchmarkPipeline.event(key: key, sequence: index / BenchmarkPipeline.keys)
                        try writer.append([event.id, topic, key, type, OutboxWriter.headersJSON(event), Array(event.payload)])
                    }
                }
            }
        }
    }
}
