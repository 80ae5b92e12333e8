import CRdKafka
import Foundation
import Logging

/// A consumer-group member that hands out messages on request (`poll`) and commits only what the
/// application says it has finished (`store` / `commit`): `enable.auto.commit=false`,
/// `enable.auto.offset.store=false`. Blocking librdkafka calls (poll, commit, close) run one at a
/// time on a dedicated serial queue, never on Swift's cooperative pool; the rebalance callback runs
/// there too, so a revoked partition's messages are never handed out after its revocation.
public final class KafkaConsumer: Sendable {
    let handle: ClientHandle
    private let context: ClientContext
    private let coordinator: RebalanceCoordinator
    let worker = BlockingWorker(label: "ressus.kafka.consumer")
    /// Runs broker queries that must not hold up `poll` (lag: dozens of round trips).
    let queryWorker = BlockingWorker(label: "ressus.kafka.consumer.queries")
    /// Set by `close()`; poll and commit refuse to run afterwards.
    private let closed = Locked(false)
    /// Keeps the handle alive while `store` or a lag query uses it (from any thread); `close()` closes it.
    let gate = UsageGate()
    public let groupID: String

    /// Joins `groupID` and subscribes to `topics`. New groups start at the earliest offset
    /// (`auto.offset.reset=earliest`, overridable). `onRebalance` is told about every assignment
    /// change after it has been applied (it runs on the poll thread: keep it short).
    public init(config: KafkaConfig, groupID: String, topics: [String],
                assignmentStrategy: AssignmentStrategy = .cooperativeSticky,
                logger: Logger = Logger(label: "ressus.kafka.consumer"),
                onRebalance: (@Sendable (RebalanceEvent) -> Void)? = nil) throws {
        self.groupID = groupID
        coordinator = RebalanceCoordinator(onRebalance: onRebalance)
        context = ClientContext(logger: logger, rebalance: coordinator)
        let settings = config.settings(
            defaults: [
                "session.timeout.ms": String(KafkaDefaults.sessionTimeoutMilliseconds),
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": assignmentStrategy.rawValue,
            ],
            required: ["group.id": groupID, "enable.auto.commit": "false", "enable.auto.offset.store": "false"])
        let handle = try makeClient(type: RD_KAFKA_CONSUMER, settings: settings, context: context,
                                    configure: { installRebalance($0); installCommitLogging($0) })
        rd_kafka_poll_set_consumer(handle.pointer)
        let list = makePartitionList(topics.map { (TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA), 0) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_subscribe(handle.pointer, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_destroy(handle.pointer)  // self.handle is not set yet, so deinit will not run
            throw KafkaError(code: error, operation: "subscribe to \(topics.joined(separator: ","))")
        }
        self.handle = handle
    }

    /// Reads `partitions` from their first offset without joining `groupID`: the partitions are
    /// assigned directly (`rd_kafka_assign`), so there is no group join to wait for and no
    /// rebalance. The group id only names the client to the broker (librdkafka's consumer API
    /// needs one); nothing is committed unless the application commits. For readers of a whole
    /// topic, such as the shared clock's.
    public init(config: KafkaConfig, groupID: String, readingFromStart partitions: [TopicPartition],
                logger: Logger = Logger(label: "ressus.kafka.consumer")) throws {
        self.groupID = groupID
        coordinator = RebalanceCoordinator(onRebalance: nil)
        context = ClientContext(logger: logger, rebalance: coordinator)
        let settings = config.settings(
            defaults: [:], required: ["group.id": groupID, "enable.auto.commit": "false", "enable.auto.offset.store": "false"])
        let handle = try makeClient(type: RD_KAFKA_CONSUMER, settings: settings, context: context,
                                    configure: { installCommitLogging($0) })
        rd_kafka_poll_set_consumer(handle.pointer)
        let list = makePartitionList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_BEGINNING)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_assign(handle.pointer, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_destroy(handle.pointer)  // self.handle is not set yet, so deinit will not run
            throw KafkaError(code: error, operation: "assign \(partitions.map(\.description).joined(separator: ","))")
        }
        coordinator.state.withLock { $0.assignment = Set(partitions) }
        self.handle = handle
    }

    /// Without a prior `close()`, destroys the client here (librdkafka then leaves the group
    /// itself, committing nothing the application did not store).
    deinit {
        if gate.closeAndWait() { rd_kafka_destroy(handle.pointer) }
    }

    /// Waits up to `timeout` for a first message, then returns it with whatever else is already
    /// fetched, up to `maxMessages`. Returns an empty array on timeout.
    public func poll(maxMessages: Int = KafkaDefaults.pollBatchSize, timeout: Duration = .seconds(1)) async throws -> [KafkaMessage] {
        try await worker.run { [self] in try pollBlocking(maxMessages: maxMessages, timeout: timeout) }
    }

    private func pollBlocking(maxMessages: Int, timeout: Duration) throws -> [KafkaMessage] {
        if closed.withLock({ $0 }) { throw KafkaError.closed("consumer") }
        let deadline = ContinuousClock.now + timeout
        var batch: [KafkaMessage] = []
        batch.reserveCapacity(min(maxMessages, 1024))
        var converter = MessageConverter()
        var revocations = coordinator.state.withLock { $0.revocations }
        while batch.count < maxMessages {
            let remaining = batch.isEmpty ? max(0, (deadline - ContinuousClock.now).milliseconds) : 0
            let message = rd_kafka_consumer_poll(handle.pointer, Int32(clamping: remaining))
            if coordinator.state.withLock({ $0.revocations }) != revocations {
                // A revocation ran inside that poll: drop what it took away from this batch.
                let (count, revoked, assigned) = coordinator.state.withLock { ($0.revocations, $0.lastRevoked, $0.assignment) }
                revocations = count
                batch.removeAll { revoked.contains($0.topicPartition) || !assigned.contains($0.topicPartition) }
            }
            guard let message else {
                if batch.isEmpty && remaining > 0 { continue }
                break
            }
            defer { rd_kafka_message_destroy(message) }
            let error = message.pointee.err
            if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                batch.append(converter.convert(message))
            } else if error == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                continue
            } else {
                let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? ""
                let kafkaError = KafkaError(code: error, message: "consume: \(text)")
                if rd_kafka_fatal_error(handle.pointer, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR { throw kafkaError }
                context.logger.warning("\(kafkaError)")
            }
        }
        return batch
    }

    /// Marks `messages` done: their offsets (+1) are committed by the next `commitStored()`,
    /// rebalance or `close()`. Throws, naming them, when partitions are no longer assigned to this
    /// consumer (their messages will be delivered again to the new owner); the offsets of the
    /// other partitions are stored all the same.
    public func store(_ messages: [KafkaMessage]) throws {
        guard !messages.isEmpty else { return }
        let handle = self.handle
        let stored: Void? = try gate.whileOpen {
            let list = makePartitionList(nextOffsets(after: messages))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let error = rd_kafka_offsets_store(handle.pointer, list)
            if let partitionError = partitionErrors(in: list, operation: "store offsets") { throw partitionError }
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "store offsets") }
        }
        if stored == nil { throw KafkaError.closed("consumer") }
    }

    /// Marks one message done (see `store(_:)` for a batch).
    public func store(_ message: KafkaMessage) throws { try store([message]) }

    /// Commits, synchronously, the offsets after `messages` (highest offset + 1 per partition).
    public func commit(_ messages: [KafkaMessage]) async throws {
        guard !messages.isEmpty else { return }
        let offsets = nextOffsets(after: messages)
        try await worker.run { [self] in
            if closed.withLock({ $0 }) { throw KafkaError.closed("consumer") }
            let list = makePartitionList(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let error = rd_kafka_commit(handle.pointer, list, 0)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "commit") }
            if let partitionError = partitionErrors(in: list, operation: "commit") { throw partitionError }
        }
    }

    /// Commits, synchronously, every offset stored with `store`. Nothing stored is not an error.
    public func commitStored() async throws {
        try await worker.run { [self] in
            if closed.withLock({ $0 }) { throw KafkaError.closed("consumer") }
            let error = rd_kafka_commit(handle.pointer, nil, 0)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET {
                throw KafkaError(code: error, operation: "commit stored offsets")
            }
        }
    }

    /// Starts a commit of every offset stored with `store` and returns without waiting for the
    /// broker: the consumer goes on while the commit travels (a slow group coordinator would
    /// otherwise stall consumption for as long as the commit takes). A failure is logged when the
    /// consumer next polls and the offsets, still stored, go with the next commit; `close()` and
    /// rebalances commit synchronously.
    public func commitStoredInBackground() throws {
        let handle = self.handle
        let started: Void? = try gate.whileOpen {
            let error = rd_kafka_commit(handle.pointer, nil, 1)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET {
                throw KafkaError(code: error, operation: "commit stored offsets")
            }
        }
        if started == nil { throw KafkaError.closed("consumer") }
    }

    /// The partitions currently assigned to this consumer.
    public var assignment: Set<TopicPartition> { coordinator.assignment }

    /// The committed offsets of `partitions` for this group (-1001 when none).
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws -> [TopicPartition: Int64] {
        try await worker.run { [self] in
            if closed.withLock({ $0 }) { throw KafkaError.closed("consumer") }
            let list = makePartitionList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let error = rd_kafka_committed(handle.pointer, list, Int32(clamping: timeout.milliseconds))
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "committed offsets") }
            var result: [TopicPartition: Int64] = [:]
            for element in elements(of: list) {
                result[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
            return result
        }
    }

    /// Leaves the group cleanly: revokes the assignment (committing stored offsets), closes the
    /// consumer (`rd_kafka_consumer_close`) and destroys the client. Later calls throw `CLOSED`.
    public func close() async throws {
        try await worker.run { [self] in
            // Poll and commit run on this same serial queue, so none is running now.
            guard closed.withLock({ let was = $0; $0 = true; return !was }) else { return }
            let error = rd_kafka_consumer_close(handle.pointer)
            if gate.closeAndWait() { rd_kafka_destroy(handle.pointer) }
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "consumer close") }
        }
    }

    /// Closes the consumer without committing anything: for a broker that lost its data, where
    /// nothing of the old session (its stored offsets in particular) may reach the new cluster.
    /// Later calls throw `CLOSED`.
    public func abandon() async {
        coordinator.state.withLock { $0.commitOnRevoke = false }
        do { try await close() } catch {
            context.logger.info("closing an abandoned consumer: \(error)")
        }
    }

    var isClosed: Bool { closed.withLock { $0 } }

    /// The messages as an asynchronous sequence, fetched `batchSize` at a time (only one batch is
    /// held in memory). It ends when the consumer is closed or the task is cancelled.
    public func messages(batchSize: Int = KafkaDefaults.pollBatchSize) -> KafkaMessageSequence {
        KafkaMessageSequence(consumer: self, batchSize: batchSize)
    }
}

/// Messages of a `KafkaConsumer`, one poll batch at a time.
public struct KafkaMessageSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaMessage
    let consumer: KafkaConsumer
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer, batchSize: batchSize) }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let batchSize: Int
        var batch: [KafkaMessage] = []
        var index = 0

        public mutating func next() async throws -> KafkaMessage? {
            while index == batch.count {
                if Task.isCancelled || consumer.isClosed { return nil }
                batch = []  // release the finished batch before fetching the next
                index = 0
                do {
                    batch = try await consumer.poll(maxMessages: batchSize, timeout: .milliseconds(500))
                } catch let error as KafkaError where error.name == "CLOSED" {
                    return nil
                }
            }
            defer { index += 1 }
            return batch[index]
        }
    }
}
