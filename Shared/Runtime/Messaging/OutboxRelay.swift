import Foundation
import Kafka
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// Publishes the service's transactional outbox to Kafka (a swift-service-lifecycle `Service`).
///
/// Each round it takes the oldest pending rows (those whose seq is in `outbox_unsent`, up to
/// `batchSize`, in seq order), produces them all at once (pipelined) with an idempotent producer —
/// key = `partition_key`, headers = the stored CloudEvents headers, value = payload — waits for
/// every delivery report, and marks the delivered ones sent by deleting their seqs from
/// `outbox_unsent` in one statement (runtime migration 14). Ordering per key survives
/// failures: see `OutboxRelayBatch` for which rows are marked and why.
///
/// - **One active relay per schema.** Every replica runs a relay; only the one holding a
///   PostgreSQL *session* advisory lock (`OutboxRelayStore.lockKey`) publishes. The relay owns a
///   dedicated connection (a one-connection pool of its own, not a slot of the service's pool),
///   which holds the lock and runs all its SQL; it checks it still holds the lock at the start of
///   every round, so if that connection drops (the server releases the lock) it stops publishing
///   until it gets the lock again. Replicas without the lock retry every `lockRetryInterval`.
/// - **Broker down:** by default messages never time out in librdkafka (`message.timeout.ms=0`):
///   the batch waits in the producer's queue while librdkafka reconnects with its own backoff
///   (`reconnect.backoff.ms` up to `reconnect.backoff.max.ms`) and is delivered, in order, when
///   the broker is back. A timed-out message would leave a gap that later messages of its key can
///   pass (librdkafka INTRODUCTION.md, "Message timeout considerations"), which is why there is no
///   finite timeout unless `deliveryTimeout` asks for one. A batch still waiting after
///   `stallWarning` logs one warning per outage, and one line when publishing recovers. Rounds that
///   fail (rejected messages, purge, database errors) back off exponentially (`initialBackoff` to
///   `maximumBackoff`), also logged once per outage.
/// - **Wake-up:** polls with `idleInterval` between empty rounds; a full batch is followed
///   immediately by the next.
/// - **Graceful shutdown:** the batch in flight completes (reports awaited, rows marked), no new
///   round starts, the producer is flushed and closed, then the lock connection is closed. If the
///   broker is down, the batch is abandoned after `shutdownGrace` (the producer is closed, which
///   purges it: every outstanding message fails, so its rows stay pending); keep `shutdownGrace`
///   plus `closeFlushTimeout` below the service's shutdown bound.
/// - **Broker lost its data** (its cluster id changed, see ``BrokerWatch``): the relay recreates
///   the topics, marks every retained row pending again (``OutboxReplay/replayAll(on:)``) and
///   publishes the whole outbox again in seq order with a new producer; consumers' inboxes absorb
///   what they already applied. A producer that hit a fatal error is replaced the same way.
/// - **Retention:** the active relay deletes sent rows written more than `retention` ago every
///   `retentionInterval` (`OutboxRetention`).
/// - **Metrics:** `RuntimeMetrics.eventsProduced` (service, topic) counts rows published and
///   marked; `RuntimeMetrics.outboxBacklog` (service) the rows pending.
public final class OutboxRelay: Service, Sendable {
    /// Tuning; every default is a policy value of the relay, kept here.
    public struct Options: Sendable {
        /// Rows produced per round at most.
        public var batchSize: Int
        /// Pause after a round that found fewer than `batchSize` rows.
        public var idleInterval: Duration
        /// How often a relay without the lock tries to take it.
        public var lockRetryInterval: Duration
        /// First pause after a failed round (broker or database trouble); doubles each failure.
        public var initialBackoff: Duration
        public var maximumBackoff: Duration
        /// librdkafka's `message.timeout.ms` for the relay's producer (unless the Kafka
        /// configuration sets it); nil (the default) = never time out. A finite value lets a
        /// message of a key fail while later ones of the same key are delivered (see the type's
        /// documentation): only for tests or when ordering does not matter.
        public var deliveryTimeout: Duration?
        /// A batch waiting longer than this for its delivery reports is logged (once per outage).
        public var stallWarning: Duration
        /// At graceful shutdown, how long the batch in flight may still wait for the broker
        /// before it is abandoned (its rows stay pending).
        public var shutdownGrace: Duration
        /// How long `close()` flushes the producer at shutdown.
        public var closeFlushTimeout: Duration
        /// Sent rows older than this are deleted.
        public var retention: Duration
        /// How often expired rows are deleted.
        public var retentionInterval: Duration
        /// How often the backlog gauge is refreshed with a count while rows are pending.
        public var backlogInterval: Duration

        public init(
            batchSize: Int = 1_000, idleInterval: Duration = .milliseconds(100),
            lockRetryInterval: Duration = .seconds(5), initialBackoff: Duration = .milliseconds(500),
            maximumBackoff: Duration = .seconds(30), deliveryTimeout: Duration? = nil,
            stallWarning: Duration = .seconds(10), shutdownGrace: Duration = .seconds(5),
            closeFlushTimeout: Duration = .seconds(3), retention: Duration = OutboxRetention.defaultRetention,
            retentionInterval: Duration = OutboxRetention.defaultInterval, backlogInterval: Duration = .seconds(1)
        ) {
            self.batchSize = max(1, batchSize)
            self.idleInterval = idleInterval
            self.lockRetryInterval = lockRetryInterval
            self.initialBackoff = initialBackoff
            self.maximumBackoff = max(initialBackoff, maximumBackoff)
            self.deliveryTimeout = deliveryTimeout
            self.stallWarning = stallWarning
            self.shutdownGrace = shutdownGrace
            self.closeFlushTimeout = closeFlushTimeout
            self.retention = retention
            self.retentionInterval = retentionInterval
            self.backlogInterval = backlogInterval
        }
    }

    /// What the relay has done so far (for tests and diagnostics).
    public struct Statistics: Sendable {
        /// Rounds that produced at least one row.
        public var publishingRounds = 0
        /// Rounds that ended in a failure (broker or database) and backed off.
        public var failedRounds = 0
        /// Rows published and marked sent.
        public var published = 0
        /// Messages handed to the producer (published, failed, or delivered but held back).
        public var produced = 0
        /// Times this relay took the lock and became the active one.
        public var activations = 0
        /// Rows deleted by retention.
        public var expiredDeleted = 0
        /// Times the broker was found to have lost its data (and the outbox was republished).
        public var brokerRecoveries = 0
        /// Rows marked pending again after the broker lost its data.
        public var replayed = 0
    }

    let service: String
    let schema: String
    let database: PostgresConfiguration
    let kafka: KafkaConfig
    let options: Options
    let logger: Logger
    let metricsFactory: any MetricsFactory
    private let counters = OutboxRelayCounters()

    /// - Parameters:
    ///   - service: the service's name (metrics dimension, logs).
    ///   - database: the service's PostgreSQL configuration; its `schema` is the outbox's schema
    ///     (e.g. `context.database.configuration`). The relay opens its own connection with it.
    ///   - kafka: the brokers; the relay creates and closes its own producer.
    public init(
        service: String, database: PostgresConfiguration, kafka: KafkaConfig, options: Options = Options(),
        logger: Logger = Logger(label: "ressus.outbox"), metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.service = service
        self.schema = database.schema ?? "public"
        self.database = database
        self.kafka = kafka
        self.options = options
        var logger = logger
        logger[metadataKey: "component"] = "outbox-relay"
        self.logger = logger
        self.metricsFactory = metricsFactory ?? MetricsSystem.factory
    }

    public var statistics: Statistics { counters.snapshot }

    public func run() async throws {
        let producer = try makeProducer()
        let connection = PostgresPool(
            configuration: Self.connectionConfiguration(database), options: .init(size: 1, reconnectTimeout: .seconds(2)),
            logger: logger)
        let watch = try BrokerWatch(kafka: kafka, logger: logger)
        var loop = OutboxRelayLoop(relay: self, producer: producer, connection: connection, watch: watch)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let pause = await loop.round() {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        await loop.producer.close(flushTimeout: options.closeFlushTimeout)
        await connection.close()
        logger.info("outbox relay stopped", metadata: ["published": "\(counters.snapshot.published)"])
    }

    /// The relay's own connection: the service's, with every statement planned at each execution
    /// (`plan_cache_mode = force_custom_plan`). Its tables swing from empty to hundreds of
    /// thousands of rows within a burst, faster than autovacuum's statistics follow. A generic plan
    /// cached while `outbox_unsent` was small seq-scans it (the pending read, with a sort; the
    /// mark-sent DELETE, filtering every row by the whole seq list) and seq-scans the outbox once
    /// per pending row, until the next ANALYZE: 650-750 ms per mark-sent round in a 1,100,000 load
    /// replay. A custom plan sees the table's current size (the planner reads its page count), and
    /// planning these statements costs far less than one round's work.
    static func connectionConfiguration(_ database: PostgresConfiguration) -> PostgresConfiguration {
        var configuration = database
        configuration.settings["plan_cache_mode"] = "force_custom_plan"
        return configuration
    }

    /// A new idempotent producer for the relay (also after a fatal error or a broker that lost its data).
    func makeProducer() throws -> KafkaProducer {
        var producerConfig = kafka
        if producerConfig.properties["message.timeout.ms"] == nil && producerConfig.properties["delivery.timeout.ms"] == nil {
            var milliseconds: Int64 = 0  // librdkafka: 0 = infinite
            if let timeout = options.deliveryTimeout {
                let (seconds, attoseconds) = timeout.components
                milliseconds = max(1, seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
            }
            producerConfig.properties["message.timeout.ms"] = String(milliseconds)
        }
        return try KafkaProducer(config: producerConfig, maxInFlight: options.batchSize, logger: logger)
    }

    func record(_ change: (inout Statistics) -> Void) { counters.update(change) }
}
