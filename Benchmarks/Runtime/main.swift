// The messaging runtime's throughput and memory (issue 3, "Performance").
//
//   runtime-benchmark [--events N] [--writers W]
//       N events (default 100,000) appended to the outbox by transactions of 500 events plus one
//       state row, published by an OutboxRelay, consumed by an InboxConsumer whose handler writes
//       one row per event: end-to-end events/s against the `psql \copy` ceiling of N state rows,
//       and the database floor: the same events' outbox, inbox and effect rows loaded by psql
//       alone (DatabaseFloor), which bounds the ratio any implementation of these tables reaches.
//   runtime-benchmark ... --steps S
//       Which performance steps to use (default 3, all): 0 = every event alone in the consumer and
//       the writers, 1 = the consumer's batch fast path, 2 = plus the handler's multi-row
//       handleBatch, 3 = plus one multi-row outbox INSERT per writer transaction.
//   runtime-benchmark ... --relay-batch N --consumer-batch N
//       OutboxRelay.Options.batchSize and InboxConsumerOptions.batchSize other than the defaults.
//   runtime-benchmark --scheduled N
//       N due scheduled items (one row and one outbox event each) fired by the SchedulerWorker one
//       by one and at once (SchedulerPolicy.fireBatchesAtOnce), alternately: items/s of each, and
//       against the `psql \copy` ceiling of N state rows. No broker traffic.
//   runtime-benchmark --backlog N
//       Fills the outbox with N events by COPY, then drains it through relay and consumer,
//       reporting progress and the peak RSS.
//
// Build in release mode: swift build -c release --product runtime-benchmark
// Environment: RESSUS_DATABASE_URL, RESSUS_KAFKA_BROKERS. Uses a random schema pair and topic,
// dropped at the end.
import BenchmarkSupport
import Foundation
import Logging

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

var arguments = CommandLine.arguments.dropFirst()
var settings: [String: Int] = [:]
while let name = arguments.popFirst() {
    guard ["--events", "--writers", "--backlog", "--steps", "--relay-batch", "--consumer-batch", "--scheduled"].contains(name), let text = arguments.popFirst(), let value = Int(text),
          value > 0 || (name == "--steps" && value == 0), name != "--steps" || value <= 3 else {
        FileHandle.standardError.write(Data("usage: runtime-benchmark [--events N] [--writers W] [--steps 0-3] [--relay-batch N] [--consumer-batch N] | --backlog N | --scheduled N\n".utf8))
        exit(2)
    }
    settings[String(name.dropFirst(2))] = value
}

let environment = ProcessInfo.processInfo.environment
guard let databaseURL = environment["RESSUS_DATABASE_URL"], !databaseURL.isEmpty,
      let brokers = environment["RESSUS_KAFKA_BROKERS"], !brokers.isEmpty else {
    FileHandle.standardError.write(Data("RESSUS_DATABASE_URL and RESSUS_KAFKA_BROKERS must be set (source .local/run/env.sh)\n".utf8))
    exit(2)
}

let writers = settings["writers"] ?? 2
var pipeline = try await BenchmarkPipeline.make(
    databaseURL: databaseURL, brokers: brokers, writers: writers, steps: BenchmarkSteps(level: settings["steps"] ?? 3))
pipeline.relayBatch = settings["relay-batch"]
pipeline.consumerBatch = settings["consumer-batch"]
do {
    if let scheduled = settings["scheduled"] {
        try await SchedulerBenchmark(pipeline: pipeline, items: scheduled).run()
    } else if let backlog = settings["backlog"] {
        try await BacklogBenchmark(pipeline: pipeline, events: backlog).run()
    } else {
        try await ThroughputBenchmark(
            pipeline: pipeline, events: settings["events"] ?? 100_000, writers: writers).run()
    }
} catch {
    await pipeline.tearDown()
    throw error
}
await pipeline.tearDown()
