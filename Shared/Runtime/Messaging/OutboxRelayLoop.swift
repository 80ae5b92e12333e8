import Foundation
import Kafka
import Logging
import Metrics
import Postgres
import ServiceLifecycle

/// The relay's mutable state between rounds.
struct OutboxRelayLoop {
    let relay: OutboxRelay
    private(set) var producer: KafkaProducer
    let connection: PostgresPool
    var watch: BrokerWatch
    /// The cluster id this relay last found recorded in (or wrote to) `outbox_broker`.
    var recordedCluster: String?
    /// The broker lost its data and the outbox was marked pending again: topics to recreate and a
    /// new producer before publishing.
    var recovering = false
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

    init(relay: OutboxRelay, producer: KafkaProducer, connection: PostgresPool, watch: BrokerWatch) {
        self.relay = relay
        self.producer = producer
        self.connection = connection
        self.watch = watch
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
        var replayed: Int?
        var cluster: String?
    }

    /// One round; returns how long to pause before the next (nil: go on at once).
    mutating func round() async -> Duration? {
        let options = relay.options
        let now = ContinuousClock.now
        let cluster = await watch.currentClusterID()
        let countBacklog = now >= nextBacklogCount, runRetention = now >= nextRetention
        let key = lockKey, recorded = recordedCluster
        let fetched: Fetched?
        do {
            fetched = try await connection.withConnection { connection -> Fetched? in
                let lock = try OutboxRelayStore.holdsOrAcquiresLock(connection, key: key)
                guard lock.held else { return nil }
                // Another cluster than the one last published to: the broker lost its data.
                var replayed: Int?
                if let cluster, cluster != recorded {
                    if let previous = try OutboxRelayStore.brokerCluster(connection), previous != cluster {
                        replayed = try OutboxReplay.replayAll(on: connection)
                    }
                    try OutboxRelayStore.recordBrokerCluster(connection, cluster)
                }
                let deleted = runRetention
                    ? try OutboxRetention.deleteExpired(on: connection, olderThan: options.retention) : nil
                let rows = try OutboxRelayStore.pending(connection, limit: options.batchSize)
                let backlog = rows.count < options.batchSize
                    ? rows.count : countBacklog ? try OutboxRelayStore.backlog(connection) : nil
                return Fetched(session: lock.session, rows: rows, backlog: backlog, expiredDeleted: deleted,
                               replayed: replayed, cluster: cluster)
            }
        } catch {
            return databaseFailed(error, while: "reading the outbox")
        }
        databaseRecovered()
        guard let fetched else { return standBy() }
        becomeActive(session: fetched.session)
        if let cluster = fetched.cluster { recordedCluster = cluster }
        if let replayed = fetched.replayed {
            recovering = true
            relay.record {
                $0.brokerRecoveries += 1
                $0.replayed += replayed
            }
            relay.logger.warning("the broker lost its data (new cluster id): republishing the outbox",
                                 metadata: ["rows": "\(replayed)", "cluster": "\(fetched.cluster ?? "")"])
        }
        if recovering {
            // The rows stay pending until the topics exist and a new producer sends them.
            do {
                try await watch.createTopics()
            } catch {
                relay.logger.warning("recreating the topics failed; retrying", metadata: ["error": "\(error)"])
                return nextBackoff()
            }
            guard await replaceProducer() else { return nextBackoff() }
            recovering = false
        }

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
        if let fatal = producer.fatalError {
            relay.logger.error("the producer hit a fatal error; replacing it", metadata: ["error": "\(fatal)"])
            _ = await replaceProducer()
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

    /// After the broker lost its data or a fatal producer error: a new producer (the old one is
    /// closed, failing whatever it still held), and no backoff left over. False if it could not be
    /// created (retried next round).
    private mutating func replaceProducer() async -> Bool {
        let old = producer
        do {
            producer = try relay.makeProducer()
        } catch {
            relay.logger.error("creating a new producer failed; retrying", metadata: ["error": "\(error)"])
            return false
        }
        await old.close(flushTimeout: .zero)
        probing = []
        backoff = relay.options.initialBackoff
        return true
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
final class OutageFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    var isSet: Bool { lock.withLock { set } }

    /// Sets the flag; true if it was clear.
    func begin() -> Bool { lock.withLock { defer { set = true }; return !set } }

    /// Clears the flag; true if it was set.
    func end() -> Bool { lock.withLock { defer { set = false }; return set } }
}

/// The relay's statistics behind a lock (read from other tasks).
final class OutboxRelayCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var statistics = OutboxRelay.Statistics()

    var snapshot: OutboxRelay.Statistics { lock.withLock { statistics } }

    func update(_ change: (inout OutboxRelay.Statistics) -> Void) { lock.withLock { change(&statistics) } }
}
