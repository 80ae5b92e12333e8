import BenchmarkSupport
import Foundation
import Kafka
import Logging
import Models
import Postgres
import Runtime
import ServiceLifecycle

/// Two services' schemas and one topic: `outbox_*` (state table + outbox, published by the relay)
/// and `inbox_*` (effects table, filled by the consumer's handler), both with the runtime tables.
struct BenchmarkPipeline {
    static let eventType = EventType.ressus("benchmark.state-changed", version: 1)
    static let keys = 20
    let databaseURL: String
    let outboxSchema: String
    let inboxSchema: String
    let topic: String
    let kafka: KafkaConfig
    let outboxDatabase: PostgresConfiguration
    /// The writers' pool (outbox schema).
    let writerPool: PostgresPool
    /// The consumer's pool (inbox schema).
    let inboxPool: PostgresPool
    var steps = BenchmarkSteps.all
    /// Batch sizes other than the defaults (`--relay-batch`, `--consumer-batch`).
    var relayBatch: Int?
    var consumerBatch: Int?

    static var logger: Logger {
        var logger = Logger(label: "runtime-benchmark")
        logger.logLevel = .warning
        return logger
    }

    static func make(databaseURL: String, brokers: String, writers: Int = 4,
                     steps: BenchmarkSteps = .all) async throws -> BenchmarkPipeline {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let outboxSchema = "bench_rt_outbox_\(suffix)", inboxSchema = "bench_rt_inbox_\(suffix)"
        let outboxDatabase = try PostgresConfiguration(
            connectionString: databaseURL, applicationName: "runtime-benchmark", schema: outboxSchema)
        let inboxDatabase = try PostgresConfiguration(
            connectionString: databaseURL, applicationName: "runtime-benchmark", schema: inboxSchema)
        let pipeline = BenchmarkPipeline(
            databaseURL: databaseURL, outboxSchema: outboxSchema, inboxSchema: inboxSchema,
            topic: "bench-runtime-\(suffix)",
            kafka: KafkaConfig(bootstrapServers: brokers, clientID: "runtime-benchmark"),
            outboxDatabase: outboxDatabase,
            writerPool: PostgresPool(configuration: outboxDatabase, options: .init(size: writers), logger: logger),
            inboxPool: PostgresPool(configuration: inboxDatabase, options: .init(size: 2), logger: logger),
            steps: steps)
        try await pipeline.create()
        return pipeline
    }

    private func create() async throws {
        for (schema, pool) in [(outboxSchema, writerPool), (inboxSchema, inboxPool)] {
            _ = try await PostgresMigrator(schema: schema, migrations: RuntimeMigrations.all, logger: Self.logger)
                .migrate(using: pool)
        }
        try await writerPool.withConnection { try $0.executeScript(StateRow.createTable) }
        try await inboxPool.withConnection { connection in
            try connection.executeScript("""
                CREATE TABLE effects (
                    event_id      uuid NOT NULL,
                    partition_key text NOT NULL,
                    sequence      bigint NOT NULL,
                    applied_at    timestamptz NOT NULL
                )
                """)
        }
        try await KafkaAdmin(config: kafka, logger: Self.logger).createTopics([TopicSpec(name: topic, partitions: 3)])
    }

    /// Drops both schemas and the topics.
    func tearDown() async {
        for (schema, pool) in [(outboxSchema, writerPool), (inboxSchema, inboxPool)] {
            _ = try? await pool.withConnection { try $0.executeScript("DROP SCHEMA IF EXISTS \(try $0.quoteIdentifier(schema)) CASCADE") }
            await pool.close()
        }
        try? await KafkaAdmin(config: kafka, logger: Self.logger)
            .deleteTopics([topic, DeadLetterMessage.topic(for: topic)])
    }

    /// The event with per-key `sequence` for `key`.
    static func event(key: String, sequence: Int) -> EventEnvelope {
        EventEnvelope(type: eventType, source: "/ressus/runtime-benchmark", time: Date(), partitionKey: key,
                      payload: Data("{\"key\":\"\(key)\",\"sequence\":\(sequence)}".utf8))
    }

    static func key(_ index: Int) -> String { "operadora-\(index % keys)" }

    /// The relay and the consumer, to run in one service group.
    func services() -> (relay: OutboxRelay, consumer: InboxConsumer) {
        let relay = OutboxRelay(
            service: "runtime-benchmark", database: outboxDatabase, kafka: kafka,
            options: OutboxRelay.Options(batchSize: relayBatch ?? OutboxRelay.Options().batchSize), logger: Self.logger)
        var options = InboxConsumerOptions()
        if let consumerBatch { options.batchSize = consumerBatch }
        options.applyBatchesAtOnce = steps.inboxBatches
        let handler: any EventHandler = steps.handlerBatches ? BatchEffectWriter() : EffectWriter()
        let consumer = InboxConsumer(
            name: "bench-runtime-\(topic)", topics: [topic], handler: handler, database: inboxPool, kafka: kafka,
            clock: WallClock(), options: options, logger: Self.logger)
        return (relay, consumer)
    }

    /// Starts relay and consumer. With `warmUp`, returns once the consumer has joined its group and
    /// applied a warm-up event (Tansu takes seconds to form a group; that is not throughput).
    func start(warmUp: Bool = true) async throws -> RunningPipeline {
        let (relay, consumer) = services()
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [relay, consumer], gracefulShutdownSignals: [.sigint, .sigterm], logger: Self.logger))
        let task = Task { try await group.run() }
        let running = RunningPipeline(group: group, task: task, relay: relay, consumer: consumer)
        guard warmUp else { return running }
        let topic = self.topic
        try await writerPool.withTransaction { connection in
            try OutboxWriter(connection: connection).append(Self.event(key: "warm-up", sequence: 0), topic: topic)
        }
        try await running.waitUntilApplied(1, timeout: .seconds(60))
        return running
    }

    func count(_ sql: String, in pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { try $0.query(sql)[0].decode(Int.self, at: 0) }
    }
}

/// Relay and consumer running in a service group.
struct RunningPipeline {
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let relay: OutboxRelay
    let consumer: InboxConsumer

    var applied: Int { consumer.statistics.applied }

    /// Polls every 5 ms until the consumer has applied `count` events in total.
    func waitUntilApplied(_ count: Int, timeout: Duration) async throws {
        try await waitUntil(timeout: timeout, "events applied", count: count) { applied }
    }

    /// Polls every 5 ms until the relay has published `count` events; returns when that was seen.
    func waitUntilPublished(_ count: Int, timeout: Duration) async throws -> ContinuousClock.Instant {
        try await waitUntil(timeout: timeout, "events published", count: count) { relay.statistics.published }
        return ContinuousClock.now
    }

    private func waitUntil(timeout: Duration, _ what: String, count: Int, _ done: () -> Int) async throws {
        let deadline = ContinuousClock.now + timeout
        while done() < count {
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFailure("only \(done()) of \(count) \(what) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// The consumer's handler: one `effects` row per event (one INSERT each).
struct EffectWriter: EventHandler {
    var acceptedTypes: Set<EventType> { [BenchmarkPipeline.eventType] }

    func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        let (key, sequence) = try Self.keyAndSequence(event)
        try context.connection.execute(Self.insert, [event.id, key, sequence, context.now])
    }

    static func keyAndSequence(_ event: EventEnvelope) throws -> (key: String, sequence: Int) {
        guard let payload = try JSONSerialization.jsonObject(with: event.payload) as? [String: Any],
              let key = payload["key"] as? String, let sequence = payload["sequence"] as? Int else {
            throw BenchmarkFailure("event \(event.id) has no key and sequence")
        }
        return (key, sequence)
    }

    static let insert = PostgresStatement(
        "INSERT INTO effects (event_id, partition_key, sequence, applied_at) VALUES ($1, $2, $3, $4)")
}

/// The same effects, a batch in one multi-row INSERT (`EventHandler.handleBatch`).
struct BatchEffectWriter: EventHandler {
    var acceptedTypes: Set<EventType> { [BenchmarkPipeline.eventType] }

    func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        try EffectWriter().handle(event, context: context)
    }

    func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        var ids: [String] = [], keys: [String] = [], sequences: [String] = []
        for event in events {
            let (key, sequence) = try EffectWriter.keyAndSequence(event)
            ids.append(event.id.uuidString)
            keys.append(key)
            sequences.append(String(sequence))
        }
        try context.connection.execute(Self.insert, [ids, keys, sequences, context.now])
    }

    static let insert = PostgresStatement("""
        INSERT INTO effects (event_id, partition_key, sequence, applied_at)
        SELECT e.id::uuid, e.key, e.sequence::bigint, $4
        FROM unnest($1::text[], $2::text[], $3::text[]) AS e(id, key, sequence)
        """)
}

/// Which of the performance steps (issue 3) a run uses, to measure each one's effect: 0 = every
/// event alone (inbox and outbox), 1 = the consumer's batch fast path, 2 = plus the handler's
/// multi-row `handleBatch`, 3 = plus one multi-row outbox INSERT per writer transaction.
struct BenchmarkSteps: Sendable {
    let level: Int
    var inboxBatches: Bool { level >= 1 }
    var handlerBatches: Bool { level >= 2 }
    var outboxBatches: Bool { level >= 3 }
    static let all = BenchmarkSteps(level: 3)

    var description: String {
        ["0 (per-event inbox, handler and outbox)", "1 (inbox batch fast path)",
         "2 (inbox batch fast path + handleBatch)", "3 (inbox batch fast path + handleBatch + outbox append(contentsOf:))"][level]
    }
}
