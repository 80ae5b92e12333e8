import Foundation
import Kafka
import Logging
import Metrics
import Models
import Postgres
import ServiceLifecycle

/// Consumes topics as one consumer group (`name`) and applies each event exactly once.
///
/// Every poll batch is applied in one PostgreSQL transaction: each event is recorded in the inbox
/// (`consumer`, event id) and, when new and of an accepted type, handed to the handler inside a
/// savepoint. First the whole batch is tried at once (one inbox INSERT, one savepoint,
/// `EventHandler.handleBatch`); only if that fails is it rolled back and applied event by event
/// as described below. Offsets are stored and committed only after that transaction commits (the commit
/// travels in the background, so a slow group coordinator never stalls consumption), so delivery is
/// at-least-once and the effect exactly-once.
///
/// When the handler throws, the events before it are committed, its attempt is counted in
/// `handler_attempts`, and it is retried (with backoff) without moving past it, which keeps each
/// partition in order. After `maxAttempts` it goes to `<topic>.DLT` (original key, value and headers
/// plus `dlt_*` headers; see ``DeadLetterMessage``), is recorded in the inbox as `dead_lettered`,
/// and consumption goes on. A message that cannot be decoded is dead-lettered at once.
///
/// A message that cannot be decoded is recorded under a synthetic id derived from its position
/// (``DeadLetterMessage/syntheticEventID(topic:partition:offset:)``).
///
/// While an event waits for a retry, the rest of its poll batch (all partitions) waits too; with
/// the defaults that is at most 0.1+0.2+0.4+0.8 s before it is dead-lettered. A transaction that
/// fails (e.g. connection lost) moves no offset and is retried with the same backoff. A crash
/// between producing a dead letter and recording it in the inbox can dead-letter the event twice;
/// redriving both copies is harmless (the inbox absorbs the second).
///
/// When the broker lost its data (``BrokerWatch``) it drops its Kafka consumer without committing,
/// recreates the topics and reads the new cluster's topics from the beginning.
///
/// On graceful shutdown it stops polling, finishes the current batch (a pending retry wait is cut
/// short and that event is left for the next run), commits, closes and returns.
public final class InboxConsumer: Service, Sendable {
    /// The consumer name: the Kafka group id and the inbox's `consumer` column.
    public let name: String
    public let topics: [String]
    private let applier: InboxApplier
    private let database: PostgresPool
    private let kafka: KafkaConfig
    private let clock: any BusinessClock
    private let options: InboxConsumerOptions
    private let logger: Logger
    private let counts = InboxLock(InboxConsumerStatistics())
    private let metricsOverride: (any MetricsFactory)?
    private let registry: ConsumerRegistry?
    /// Read at each use, so a `MetricsSystem` bootstrapped after construction is honoured.
    private var metrics: any MetricsFactory { metricsOverride ?? MetricsSystem.factory }

    /// - Parameters:
    ///   - name: group id and inbox consumer name (e.g. "debt-calculator").
    ///   - database: a pool whose search_path is the service's schema (with the runtime tables).
    ///   - clock: gives the handler's `now` (read when each batch transaction starts).
    ///   - metrics: where the metrics go; nil for the process-wide `MetricsSystem`.
    ///   - registry: where the Kafka consumer is registered for lag reporting, if anywhere.
    public init(name: String, topics: [String], handler: any EventHandler, database: PostgresPool,
                kafka: KafkaConfig, clock: any BusinessClock, options: InboxConsumerOptions = InboxConsumerOptions(),
                logger: Logger = Logger(label: "ressus.inbox"), metrics: (any MetricsFactory)? = nil,
                registry: ConsumerRegistry? = nil) {
        precondition(!topics.isEmpty, "an inbox consumer needs at least one topic")
        self.name = name
        self.topics = topics
        applier = InboxApplier(consumer: name, handler: handler, batched: options.applyBatchesAtOnce)
        self.database = database
        self.kafka = kafka
        self.clock = clock
        self.options = options
        metricsOverride = metrics
        self.registry = registry
        var logger = logger
        logger[metadataKey: "consumer"] = "\(name)"
        self.logger = logger
    }

    /// What this consumer has done so far.
    public var statistics: InboxConsumerStatistics { counts.withLock { $0 } }

    public func run() async throws {
        var watch = try BrokerWatch(kafka: kafka, logger: logger)
        // The dead-letter topics must exist before the first failure (creation is idempotent).
        try await watch.createTopics(deadLetterTopics)
        var (consumer, producer) = try clients()
        logger.info("inbox consumer started", metadata: ["topics": "\(topics.joined(separator: ","))"])
        var failure: (any Error)?
        do {
            while !Self.stopping {
                if await watch.brokerReplaced() {
                    // Nothing of the old session may reach the new cluster (its stored offsets
                    // would skip the new topics' first records): drop it, read from the beginning.
                    await consumer.abandon()
                    await producer.close(flushTimeout: .zero)
                    do { try await watch.createTopics(deadLetterTopics) } catch {
                        logger.warning("recreating the topics failed", metadata: ["error": "\(error)"])
                    }
                    (consumer, producer) = try clients()
                    counts.withLock { $0.brokerRecoveries += 1 }
                    logger.warning("consuming again from the beginning of the new cluster's topics")
                }
                let batch = try await consumer.poll(maxMessages: options.batchSize, timeout: options.pollTimeout)
                if batch.isEmpty { continue }
                await process(batch, consumer: consumer, producer: producer)
            }
        } catch is CancellationError {
        } catch {
            failure = error
        }
        do {
            try await consumer.close()  // commits what was stored, leaves the group
        } catch {
            logger.warning("closing the Kafka consumer failed", metadata: ["error": "\(error)"])
        }
        await producer.close()
        if let failure {
            logger.error("inbox consumer failed", metadata: ["error": "\(failure)"])
            throw failure
        }
        logger.info("inbox consumer stopped")
    }

    private var deadLetterTopics: [TopicSpec] {
        topics.map { TopicSpec(name: DeadLetterMessage.topic(for: $0), partitions: 1) }
    }

    /// A new consumer (joining the group, registered for lag reporting) and dead-letter producer.
    private func clients() throws -> (KafkaConsumer, KafkaProducer) {
        let consumer = try KafkaConsumer(config: kafka, groupID: name, topics: topics, logger: logger)
        registry?.register(consumer)
        do {
            return (consumer, try KafkaProducer(config: kafka, maxInFlight: 1_000, logger: logger))
        } catch {
            Task { try? await consumer.close() }
            throw error
        }
    }

    /// True once graceful shutdown began or the task was cancelled.
    private static var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Waits `delay`, cut short by graceful shutdown or cancellation; returns false if stopping.
    private func pause(_ delay: Duration) async -> Bool {
        if Self.stopping { return false }
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        return !Self.stopping
    }

    /// Applies one poll batch: returns when every message is applied, skipped or dead-lettered, or
    /// early on shutdown (what is not committed is delivered again later).
    private func process(_ batch: [KafkaMessage], consumer: KafkaConsumer, producer: KafkaProducer) async {
        let started = ContinuousClock.now
        defer {
            Timer(label: RuntimeMetrics.batchDuration, dimensions: [("consumer", name)], factory: metrics)
                .recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started))
        }
        let items = batch.map(InboxItem.init)
        var remaining = items[...]
        var transactionFailures = 0
        while !remaining.isEmpty {
            let result: InboxBatchResult
            do {
                let slice = remaining, applier = self.applier, now = clock.now
                result = try await database.withTransaction { try applier.apply(slice, now: now, on: $0) }
                transactionFailures = 0
            } catch {
                transactionFailures += 1
                counts.withLock { $0.transactionFailures += 1 }
                logger.error("inbox transaction failed; the batch will be retried", metadata: [
                    "error": "\(error)", "failures": "\(transactionFailures)"])
                guard await pause(options.backoff(afterFailure: transactionFailures)) else { return }
                continue
            }
            let done = remaining.prefix(result.outcomes.count)
            record(result.outcomes, of: done)
            await commitOffsets(Array(done.map(\.message)), consumer: consumer)
            remaining = remaining.dropFirst(result.outcomes.count)
            guard let stop = result.stop, let item = remaining.first else { continue }
            switch stop {
            case .undecodable(let error):
                logger.warning("message cannot be decoded; dead-lettering it", metadata: metadata(item, error))
                guard await deadLetter(item, error: error, attempts: 0, consumer: consumer, producer: producer)
                else { return }
                remaining = remaining.dropFirst()
            case .handlerFailed(let attempts, let error):
                counts.withLock { $0.failedAttempts += 1 }
                Counter(label: RuntimeMetrics.eventsFailed, dimensions: dimensions(item.message.topic), factory: metrics).increment()
                if attempts >= options.maxAttempts {
                    logger.error("handler failed for the last time; dead-lettering the event",
                                 metadata: metadata(item, error).merging(["attempts": "\(attempts)"]) { $1 })
                    guard await deadLetter(item, error: error, attempts: attempts, consumer: consumer, producer: producer)
                    else { return }
                    remaining = remaining.dropFirst()
                } else {
                    let delay = options.backoff(afterFailure: attempts)
                    logger.warning("handler failed; retrying the event", metadata: metadata(item, error).merging([
                        "attempts": "\(attempts)", "retry_in": "\(delay)"]) { $1 })
                    guard await pause(delay) else { return }
                }
            }
        }
    }

    /// Writes `item` to its dead-letter topic (waiting for the broker's acknowledgement), records
    /// it in the inbox and commits its offset. Retries until done; returns false if shutdown began
    /// first (the message is then delivered again later).
    private func deadLetter(_ item: InboxItem, error: String, attempts: Int,
                            consumer: KafkaConsumer, producer: KafkaProducer) async -> Bool {
        let outgoing = DeadLetterMessage.make(from: item.message, error: error, attempts: attempts, consumer: name)
        var failures = 0
        var produced = false
        while true {
            do {
                if !produced {
                    _ = try await producer.send(outgoing)
                    produced = true
                }
                let applier = self.applier
                try await database.withTransaction { try applier.recordDeadLetter(item, on: $0) }
                break
            } catch {
                failures += 1
                logger.error("dead-lettering failed; retrying", metadata: metadata(item, "\(error)"))
                guard await pause(options.backoff(afterFailure: failures)) else { return false }
            }
        }
        counts.withLock { $0.deadLettered += 1 }
        Counter(label: RuntimeMetrics.deadLetters, dimensions: dimensions(item.message.topic), factory: metrics).increment()
        await commitOffsets([item.message], consumer: consumer)
        return true
    }

    /// Stores and commits the offsets after `messages`. A partition revoked meanwhile is not an
    /// error: its new owner reads those messages again and the inbox absorbs them.
    private func commitOffsets(_ messages: [KafkaMessage], consumer: KafkaConsumer) async {
        guard !messages.isEmpty else { return }
        do {
            try consumer.store(messages)
        } catch {
            logger.info("offsets not stored (partition no longer assigned); the new owner re-reads them",
                        metadata: ["error": "\(error)"])
        }
        do {
            try consumer.commitStoredInBackground()
        } catch {
            logger.warning("offset commit failed; stored offsets are committed later", metadata: ["error": "\(error)"])
        }
    }

    private func record(_ outcomes: [InboxOutcome], of items: ArraySlice<InboxItem>) {
        var perTopic: [String: (applied: Int, duplicates: Int)] = [:]
        var total = (applied: 0, duplicates: 0, skipped: 0)
        for (outcome, item) in zip(outcomes, items) {
            switch outcome {
            case .applied:
                perTopic[item.message.topic, default: (0, 0)].applied += 1
                total.applied += 1
            case .duplicate:
                perTopic[item.message.topic, default: (0, 0)].duplicates += 1
                total.duplicates += 1
            case .skipped:
                total.skipped += 1
                logger.debug("event type not handled; recorded and skipped",
                             metadata: ["type": "\(item.inboxType)", "event_id": "\(item.inboxID)"])
            }
        }
        counts.withLock {
            $0.applied += total.applied
            $0.duplicates += total.duplicates
            $0.skipped += total.skipped
        }
        for (topic, count) in perTopic {
            if count.applied > 0 {
                Counter(label: RuntimeMetrics.eventsConsumed, dimensions: dimensions(topic), factory: metrics).increment(by: count.applied)
            }
            if count.duplicates > 0 {
                Counter(label: RuntimeMetrics.eventsDuplicate, dimensions: dimensions(topic), factory: metrics).increment(by: count.duplicates)
            }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    private func dimensions(_ topic: String) -> [(String, String)] { [("consumer", name), ("topic", topic)] }

    private func metadata(_ item: InboxItem, _ error: String) -> Logger.Metadata {
        ["event_id": "\(item.inboxID)", "topic": "\(item.message.topic)", "partition": "\(item.message.partition)",
         "offset": "\(item.message.offset)", "error": "\(error)"]
    }
}

/// A value behind a lock.
final class InboxLock<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value  // guarded by `lock`
    init(_ value: Value) { self.value = value }
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
