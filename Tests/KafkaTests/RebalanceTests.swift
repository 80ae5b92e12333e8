import Kafka
import Testing

/// One ordered record of what two consumers of a group saw: rebalance events and poll results.
final class GroupLog: Sendable {
    enum Entry: Sendable {
        case event(consumer: Int, RebalanceEvent)
        case batch(consumer: Int, [KafkaMessage])
    }

    private let entries = Guarded<[Entry]>([])

    func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
    var all: [Entry] { entries.withLock { $0 } }
}

@Suite struct RebalanceTests {
    /// A second consumer joins while the first is consuming a steady stream: the partitions are
    /// split between them, no message is lost, and after a revocation no message of a revoked
    /// partition is handed out by the consumer that lost it (until it is assigned it again).
    @Test(arguments: [AssignmentStrategy.cooperativeSticky, .eager])
    func secondConsumerSplitsPartitionsWithoutLoss(strategy: AssignmentStrategy) async throws {
        let topic = try await freshTopic("rebalance", partitions: 6)
        let group = uniqueName("rebalance-group")
        let producer = try KafkaProducer(config: try testConfig(), logger: testLogger)
        let produced = Guarded(0)
        @Sendable func produce(_ count: Int) async throws {
            let reports = try await producer.sendBatch(keyedMessages(topic: topic, count: count, keys: 60)).map { try $0.get() }
            produced.withLock { $0 += reports.count }
        }
        try await produce(2_000)
        // A steady stream (about 2,000 messages/s) until the group has settled, so the first
        // member is mid-stream when it has to give partitions up.
        let streaming = Guarded(true)
        let stream = Task {
            while streaming.withLock({ $0 }) {
                try await produce(100)
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        let log = GroupLog()
        func member(_ id: Int) throws -> KafkaConsumer {
            try KafkaConsumer(config: try testConfig(), groupID: group, topics: [topic], assignmentStrategy: strategy,
                              logger: testLogger, onRebalance: { log.append(.event(consumer: id, $0)) })
        }
        let seen = Guarded<Set<String>>([])
        let finished = Guarded(false)
        let first = try member(1)
        /// Slow consumption (at most about 2,000 messages/s).
        @Sendable func run(_ consumer: KafkaConsumer, id: Int) async throws {
            while !finished.withLock({ $0 }) {
                let batch = try await consumer.poll(maxMessages: 20, timeout: .milliseconds(100))
                log.append(.batch(consumer: id, batch))
                seen.withLock { for message in batch { $0.insert("\(message.partition)/\(message.offset)") } }
                do { try consumer.store(batch) } catch {}  // a partition revoked meanwhile: redelivered
                if !batch.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            }
        }
        async let firstRun: Void = run(first, id: 1)
        while seen.withLock({ $0.count }) < 1_000 { try await Task.sleep(for: .milliseconds(20)) }
        let second = try member(2)
        async let secondRun: Void = run(second, id: 2)
        // Until the group has settled on a split (a cooperative rebalance takes two rounds).
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline
            && (first.assignment.isEmpty || second.assignment.isEmpty || first.assignment.union(second.assignment).count < 6) {
            try await Task.sleep(for: .milliseconds(100))
        }
        streaming.withLock { $0 = false }
        try await stream.value
        try await produce(2_000)  // spread over all six partitions, so both members get some
        let total = produced.withLock { $0 }
        while ContinuousClock.now < deadline && seen.withLock({ $0.count }) < total {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))  // let any redelivery show up in the log
        finished.withLock { $0 = true }
        try await firstRun
        try await secondRun
        await producer.close()

        let firstAssignment = first.assignment, secondAssignment = second.assignment
        try await first.close()
        try await second.close()

        #expect(seen.withLock { $0.count } == total, "every message consumed at least once")
        #expect(!firstAssignment.isEmpty && !secondAssignment.isEmpty, "\(firstAssignment) / \(secondAssignment)")
        #expect(firstAssignment.isDisjoint(with: secondAssignment))
        #expect(firstAssignment.union(secondAssignment).count == 6)

        // Replay the log: a consumer's batch may contain only partitions it holds at that moment.
        var held: [Int: Set<TopicPartition>] = [1: [], 2: []]
        var revocations = 0
        for entry in log.all {
            switch entry {
            case .event(let consumer, .assigned(let partitions)): held[consumer]!.formUnion(partitions)
            case .event(let consumer, .revoked(let partitions, _)):
                held[consumer]!.subtract(partitions)
                revocations += 1
            case .batch(let consumer, let messages):
                for message in messages {
                    #expect(held[consumer]!.contains(message.topicPartition),
                            "consumer \(consumer) handed out \(message.topicPartition)@\(message.offset) it does not hold")
                }
            }
        }
        #expect(revocations >= 1, "the first consumer must have given up partitions")
        let handedToSecond = log.all.reduce(0) { count, entry in
            if case .batch(2, let messages) = entry { return count + messages.count }
            return count
        }
        #expect(handedToSecond > 0, "the second member should have taken over part of the topic mid-stream")
    }
}
