import Foundation
import Kafka
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// Publishes the service's transactional outbox to Kafka (a swift-service-lifecycle `Service`).
///
/// Each round it takes the oldest pending rows (`sent_at IS NULL`, up to `batchSize`, in seq
/// order), produces them all at once (pipelined) with an idempotent producer — key =
/// `partition_key`, headers = the stored CloudEvents headers, value = payload — waits for every
/// delivery report, and marks the delivered ones sent in one UPDATE. Ordering per key survives
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
/// - **Retention:** the active relay deletes rows sent more than `retention` ago every
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
    }

    let service: String
    let schema: String
    let database: PostgresConfiguration
    let kafka: KafkaConfig
    let options: Options
    let logger: Logger
    let metricsFactory: any MetricsFactory
    private let counters = RelayCounters()

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
        var producerConfig = kafka
        if producerConfig.properties["message.timeout.ms"] == nil && producerConfig.properties["delivery.timeout.ms"] == nil {
            var milliseconds: Int64 = 0  // librdkafka: 0 = infinite
            if let timeout = options.deliveryTimeout {
                let (seconds, attoseconds) = timeout.components
                milliseconds = max(1, seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
            }
            producerConfig.properties["message.timeout.ms"] = String(milliseconds)
        }
        let producer = try KafkaProducer(config: producerConfig, maxInFlight: options.batchSize, logger: logger)
        let connection = PostgresPool(
            configuration: database, options: .init(size: 1, reconnectTimeout: .seconds(2)), logger: logger)
        var loop = RelayLoop(relay: self, producer: producer, connection: connection)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let pause = await loop.round() {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        await producer.close(flushTimeout: options.closeFlushTimeout)
        await connection.close()
        logger.info("outbox relay stopped", metadata: ["published": "\(counters.snapshot.published)"])
    }

    fileprivate func record(_ change: (inout Statistics) -> Void) { counters.update(change) }
}

/// The relay's mutable state between rounds.
private struct RelayLoop {
    let relay: OutboxRelay
    let producer: KafkaProducer
    let connection: PostgresPool
    let lockKey: Int64
    let backlogGauge: Gauge
    var producedCounters: [String: Counter] = [:]
    var active = false
    /// The backend pid of the session that took the lock.
    var lockSession: Int?
    var announcedStandby = false
    let publishingOutage = OutageFlag()
    var databaseOutage = false
    var backoff: Duration
    var nextBacklogCount = ContinuousClock.now
    var nextRetention = ContinuousClock.now
    var loggedMalformed = Set<Int64>()
    /// Keys that failed last round: only their oldest pending row is produced until it succeeds,
    /// so a failing key is probed with one message instead of re-sending all its later rows.
    var probing = Set<String>()

    init(relay: OutboxRelay, producer: KafkaProducer, connection: PostgresPool) {
        self.relay = relay
        self.producer = producer
        self.connection = connection
        lockKey = OutboxRelayStore.lockKey(schema: relay.schema)
        backlogGauge = Gauge(label: RuntimeMetrics.outboxBacklog, dimensions: [("service", relay.service)],
                             factory: relay.metricsFactory)
        backoff = relay.options.initialBackoff
    }

    private struct Fetched: Sendable {
        var session: Int
        var rows: [OutboxRow]
        var backlog: Int?
        var expiredDeleted: Int?
    }

    /// One round; returns how long to pause before the next (nil: go on at once).
    mutating func round() async -> Duration? {
        let options = relay.options
        let now = ContinuousClock.now
        let countBacklog = now >= nextBacklogCount, runRetention = now >= nextRetention
        let key = lockKey
        let fetched: Fetched?
        do {
            fetched = try await connection.withConnection { connection -> Fetched? in
                let lock = try OutboxRelayStore.holdsOrAcquiresLock(connection, key: key)
                guard lock.held else { return nil }
                let deleted = runRetention
                    ? try OutboxRetention.deleteExpired(on: connection, olderThan: options.retention) : nil
                let rows = try OutboxRelayStore.pending(connection, limit: options.batchSize)
                let backlog = rows.count < options.batchSize
                    ? rows.count : countBacklog ? try OutboxRelayStore.backlog(connection) : nil
                return Fetched(session: lock.session, rows: rows, backlog: backlog, expiredDeleted: deleted)
            }
        } catch {
            return databaseFailed(error, while: "reading the outbox")
        }
        databaseRecovered()
        guard let fetched else { return standBy() }
        becomeActive(session: fetched.session)

        if let deleted = fetched.expiredDeleted {
            nextRetention = now + options.retentionInterval
            relay.record { $0.expiredDeleted += deleted }
            if deleted > 0 { relay.logger.info("outbox retention deleted sent rows", metadata: ["rows": "\(deleted)"]) }
        }
        if countBacklog && fetched.backlog != nil { nextBacklogCount = now + options.backlogInterval }
        guard !fetched.rows.isEmpty else {
            backlogGauge.record(0)
            publishingRecovered()
            return options.idleInterval
        }
        return await publish(fetched.rows, backlog: fetched.backlog)
    }

    /// Produces `fetched` (minus the later rows of probed keys), marks the delivered ones, and
    /// records `backlog` (pending before) minus them.
    private mutating func publish(_ fetched: [OutboxRow], backlog: Int?) async -> Duration? {
        let options = relay.options
        var probed = Set<String>()
        let rows = fetched.filter { !probing.contains($0.partitionKey) || probed.insert($0.partitionKey).inserted }
        let messages = rows.compactMap(\.message)
        let results = await produce(messages)
        var next = results.makeIterator()
        let perRow = rows.map { $0.message == nil ? nil : next.next() }
        for row in rows where row.message == nil && loggedMalformed.insert(row.seq).inserted {
            relay.logger.error("outbox row has malformed headers; its key is blocked until it is fixed",
                               metadata: ["seq": "\(row.seq)", "partition_key": "\(row.partitionKey)"])
        }
        let batch = OutboxRelayBatch(rows: rows, results: perRow)
        let delivered = batch.delivered
        do {
            _ = try await connection.withConnection { try OutboxRelayStore.markSent($0, seqs: delivered) }
        } catch {
            // Delivered but not marked: the next round (possibly another relay) sends them again.
            return databaseFailed(error, while: "marking \(delivered.count) delivered rows sent")
        }
        for (topic, count) in batch.deliveredPerTopic { producedCounter(topic).increment(by: count) }
        if let backlog { backlogGauge.record(max(0, backlog - delivered.count)) }
        probing = batch.failedKeys
        relay.record {
            $0.produced += messages.count
            $0.publishingRounds += 1
            $0.published += delivered.count
            if batch.failures > 0 { $0.failedRounds += 1 }
        }
        guard batch.failures == 0 else {
            if publishingOutage.begin() {
                relay.logger.warning("outbox publishing failed; retrying with backoff until the broker accepts", metadata: [
                    "failed": "\(batch.failures)", "held_back": "\(batch.heldBack)",
                    "error": "\(batch.firstError.map { "\($0)" } ?? "malformed row")"])
            }
            // Back off only when nothing got through: other keys keep their pace meanwhile.
            return delivered.isEmpty ? nextBackoff() : options.idleInterval
        }
        publishingRecovered()
        return fetched.count == options.batchSize ? nil : options.idleInterval
    }

    /// Sends the batch and waits for every report. Logs a stall (once per outage) if the reports
    /// take longer than `stallWarning`; at graceful shutdown, gives the broker `shutdownGrace`
    /// more and then closes the producer, which fails whatever is outstanding.
    private func produce(_ messages: [OutgoingMessage]) async -> [Result<DeliveryReport, KafkaError>] {
        let producer = self.producer, relay = self.relay, outage = publishingOutage
        let finished = OutageFlag()
        let watchdog = Task {
            try await Task.sleep(for: relay.options.stallWarning)
            if !finished.isSet && outage.begin() {
                relay.logger.warning("outbox batch still waiting for the broker; retrying until it is reachable",
                                     metadata: ["messages": "\(messages.count)", "waited": "\(relay.options.stallWarning)"])
            }
        }
        let results = await withGracefulShutdownHandler {
            await producer.sendBatch(messages)
        } onGracefulShutdown: {
            Task {
                try await Task.sleep(for: relay.options.shutdownGrace)
                guard !finished.isSet else { return }
                relay.logger.warning("shutting down with an outbox batch not acknowledged; its rows stay pending")
                await producer.close(flushTimeout: .zero)
            }
        }
        _ = finished.begin()
        watchdog.cancel()
        return results
    }

    private mutating func producedCounter(_ topic: String) -> Counter {
        if let counter = producedCounters[topic] { return counter }
        let counter = Counter(label: RuntimeMetrics.eventsProduced,
                              dimensions: [("service", relay.service), ("topic", topic)], factory: relay.metricsFactory)
        producedCounters[topic] = counter
        return counter
    }

    private mutating func standBy() -> Duration {
        if active {
            active = false
            relay.logger.warning("outbox lock lost (its connection was replaced); stopped publishing until it is re-acquired")
        } else if !announcedStandby {
            relay.logger.info("another outbox relay is active for this schema; standing by", metadata: ["schema": "\(relay.schema)"])
        }
        announcedStandby = true
        return relay.options.lockRetryInterval
    }

    private mutating func becomeActive(session: Int) {
        if active && session == lockSession { return }
        if active {
            // The pool replaced a broken connection; the old session's lock died with it and
            // this round took it again before publishing anything.
            relay.logger.warning("outbox lock connection was replaced; lock re-acquired")
        }
        active = true
        lockSession = session
        announcedStandby = false
        relay.record { $0.activations += 1 }
        relay.logger.info("outbox relay active (holds the outbox lock)", metadata: ["schema": "\(relay.schema)"])
    }

    private mutating func databaseFailed(_ error: any Error, while doing: String) -> Duration {
        relay.record { $0.failedRounds += 1 }
        if !databaseOutage {
            databaseOutage = true
            relay.logger.warning("outbox relay: database error; retrying with backoff",
                                 metadata: ["while": "\(doing)", "error": "\(error)"])
        }
        // The lock may be gone with the connection; the next round checks before publishing.
        active = false
        return nextBackoff()
    }

    private mutating func databaseRecovered() {
        guard databaseOutage else { return }
        databaseOutage = false
        backoff = relay.options.initialBackoff
        relay.logger.info("outbox relay: database reachable again")
    }

    private mutating func publishingRecovered() {
        backoff = relay.options.initialBackoff
        if publishingOutage.end() { relay.logger.info("outbox publishing recovered") }
    }

    private mutating func nextBackoff() -> Duration {
        let pause = backoff
        backoff = min(backoff * 2, relay.options.maximumBackoff)
        return pause
    }
}

/// A flag set and cleared from several tasks; `begin`/`end` say whether they changed it.
private final class OutageFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    var isSet: Bool { lock.withLock { set } }

    /// Sets the flag; true if it was clear.
    func begin() -> Bool { lock.withLock { defer { set = true }; return !set } }

    /// Clears the flag; true if it was set.
    func end() -> Bool { lock.withLock { defer { set = false }; return set } }
}

/// The relay's statistics behind a lock (read from other tasks).
private final class RelayCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var statistics = OutboxRelay.Statistics()

    var snapshot: OutboxRelay.Statistics { lock.withLock { statistics } }

    func update(_ change: (inout OutboxRelay.Statistics) -> Void) { lock.withLock { change(&statistics) } }
}
