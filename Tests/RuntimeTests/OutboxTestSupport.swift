import Foundation
import Kafka
import Logging
import Metrics
import Models
import Postgres
import Runtime
import ServiceLifecycle
import TestSupport
import Testing

/// A fresh schema (runtime + outbox migrations) and a fresh topic on the shared servers.
struct OutboxFixture {
    let schema: String
    let topic: String
    let database: PostgresConfiguration
    let pool: PostgresPool
    let kafka: KafkaConfig

    /// A fresh schema with `migrations` (every runtime migration unless told) and, unless told, its topic.
    static func make(partitions: Int = 3, poolSize: Int = 4, createTopic: Bool = true,
                     migrations: [PostgresMigration] = RuntimeMigrations.all) async throws -> OutboxFixture {
        let url = try TestEnvironment.databaseURL()
        let brokers = try TestEnvironment.kafkaBrokers()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "outbox_test_\(suffix)"
        let database = try PostgresConfiguration(connectionString: url, applicationName: "outbox-tests", schema: schema)
        let pool = PostgresPool(configuration: database, options: .init(size: poolSize))
        try await PostgresMigrator(schema: schema, migrations: migrations).migrate(using: pool)
        let kafka = KafkaConfig(bootstrapServers: brokers, clientID: "outbox-tests")
        let topic = "outbox-test-\(suffix)"
        if createTopic {
            try await KafkaAdmin(config: kafka, logger: quietOutboxLogger).createTopics([TopicSpec(name: topic, partitions: partitions)])
        }
        return OutboxFixture(schema: schema, topic: topic, database: database, pool: pool, kafka: kafka)
    }

    /// Drops the schema and closes the pool.
    func tearDown() async {
        let schema = self.schema
        _ = try? await pool.withConnection { try $0.execute("DROP SCHEMA \(try $0.quoteIdentifier(schema)) CASCADE") }
        await pool.close()
    }

    /// An event of `key` whose payload names it and its index.
    static func envelope(key: String, index: Int) -> EventEnvelope {
        EventEnvelope(
            type: .ressus("test.outbox-relay", version: 1), source: "/ressus/outbox-tests", time: Date(),
            partitionKey: key, payload: Data("{\"key\":\"\(key)\",\"index\":\(index)}".utf8))
    }

    /// Appends the events in one transaction.
    func append(_ envelopes: [EventEnvelope]) async throws {
        let topic = self.topic
        try await pool.withTransaction { connection in
            let writer = OutboxWriter(connection: connection)
            for envelope in envelopes { try writer.append(envelope, topic: topic) }
        }
    }

    /// Appends the events in one transaction with one `append(contentsOf:)`.
    func appendAtOnce(_ envelopes: [EventEnvelope]) async throws {
        let topic = self.topic
        try await pool.withTransaction { connection in
            try OutboxWriter(connection: connection).append(contentsOf: envelopes.map { ($0, topic) })
        }
    }

    /// Event ids (with keys) in seq order.
    func rowsInSeqOrder() async throws -> [(id: UUID, key: String, sent: Bool)] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT o.event_id, o.partition_key, u.seq IS NULL
                FROM outbox AS o LEFT JOIN outbox_unsent AS u ON u.seq = o.seq ORDER BY o.seq
                """).map {
                (try $0.decode(UUID.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(Bool.self, at: 2))
            }
        }
    }

    /// `count` conditions: the row is pending (its seq in `outbox_unsent`), or sent.
    static let unsent = "seq IN (SELECT seq FROM outbox_unsent)"
    static let sent = "seq NOT IN (SELECT seq FROM outbox_unsent)"

    /// Outbox rows matching `condition`.
    func count(_ condition: String) async throws -> Int {
        try await pool.withConnection { try $0.query("SELECT count(*) FROM outbox WHERE \(condition)")[0].decode(Int.self, at: 0) }
    }

    func relay(kafka: KafkaConfig? = nil, options: OutboxRelay.Options = .testing, logger: Logger = quietOutboxLogger,
               metricsFactory: (any MetricsFactory)? = nil) -> OutboxRelay {
        OutboxRelay(service: "outbox-tests", database: database, kafka: kafka ?? self.kafka, options: options,
                    logger: logger, metricsFactory: metricsFactory)
    }

    /// Reads `topic` from the beginning with a new group until `count` messages came (or
    /// `deadline`), then `settle` longer to catch extra ones.
    func consume(count: Int, within deadline: Duration = .seconds(40), settle: Duration = .seconds(2)) async throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(
            config: kafka, groupID: "outbox-test-\(UUID().uuidString.prefix(8))", topics: [topic], logger: quietOutboxLogger)
        var received: [KafkaMessage] = []
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while received.count < count && clock.now < end {
            received += try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(300))
        }
        let settleEnd = clock.now + settle
        while clock.now < settleEnd {
            received += try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(200))
        }
        try await consumer.close()
        return received
    }
}

extension OutboxRelay.Options {
    /// Short pauses so tests run quickly.
    static var testing: OutboxRelay.Options {
        OutboxRelay.Options(
            batchSize: 500, idleInterval: .milliseconds(50), lockRetryInterval: .milliseconds(200),
            initialBackoff: .milliseconds(200), maximumBackoff: .seconds(1),
            stallWarning: .milliseconds(500), shutdownGrace: .seconds(1), closeFlushTimeout: .seconds(2))
    }
}

extension KafkaMessage {
    var eventID: UUID? { headerString("ce_id").flatMap(UUID.init(uuidString:)) }
    var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}

var quietOutboxLogger: Logger {
    var logger = Logger(label: "outbox-tests")
    logger.logLevel = .critical
    return logger
}


/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
