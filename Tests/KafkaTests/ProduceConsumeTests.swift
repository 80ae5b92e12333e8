import Kafka
import Testing

@Suite struct ProduceConsumeTests {
    /// 10,000 keyed messages over 6 partitions: each arrives exactly once, in order per key.
    @Test func keyedMessagesArriveOnceInOrderPerKey() async throws {
        let topic = try await freshTopic("order", partitions: 6)
        let producer = try KafkaProducer(config: try testConfig(), logger: testLogger)
        let messages = keyedMessages(topic: topic, count: 10_000, keys: 60)
        let results = await producer.sendBatch(messages)
        await producer.close()
        let reports = try results.map { try $0.get() }
        #expect(Set(reports.map(\.partition)).count == 6, "the keys should spread over all 6 partitions")

        let consumer = try KafkaConsumer(config: try testConfig(), groupID: uniqueName("order-group"),
                                         topics: [topic], logger: testLogger)
        let received = try await consume(consumer, count: messages.count, settle: .seconds(1), commit: true)
        try await consumer.close()

        #expect(received.count == messages.count)
        var nextSequence: [String: Int] = [:]
        var partitionOfKey: [String: Int32] = [:]
        for message in received {
            let (key, sequence) = parseKeyed(message)
            #expect(message.key == Array(key.utf8))
            #expect(sequence == nextSequence[key, default: 0], "key \(key) out of order or duplicated")
            nextSequence[key] = sequence + 1
            #expect(partitionOfKey[key, default: message.partition] == message.partition)
            partitionOfKey[key] = message.partition
        }
        #expect(nextSequence.values.reduce(0, +) == messages.count)
    }

    @Test func headersKeysAndTimestampsRoundTrip() async throws {
        let topic = try await freshTopic("headers", partitions: 1)
        let producer = try KafkaProducer(config: try testConfig(), logger: testLogger)
        let headers = [KafkaHeader(name: "ce_id", string: "42"), KafkaHeader(name: "ce_type", string: "t.v1"),
                       KafkaHeader(name: "empty", value: [])]
        let report = try await producer.send(topic: topic, key: Array("k".utf8), value: Array("v".utf8), headers: headers)
        let unkeyed = try await producer.send(topic: topic, key: nil, value: [], headers: [])
        await producer.close()
        #expect(report.topic == topic && report.partition == 0 && report.offset >= 0)
        #expect(unkeyed.offset == report.offset + 1)

        let consumer = try KafkaConsumer(config: try testConfig(), groupID: uniqueName("headers-group"),
                                         topics: [topic], logger: testLogger)
        let received = try await consume(consumer, count: 2)
        try await consumer.close()
        try #require(received.count == 2)
        #expect(received[0].headers == headers)
        #expect(received[0].headerString("ce_type") == "t.v1")
        #expect(received[0].key == Array("k".utf8) && received[0].value == Array("v".utf8))
        #expect(received[0].offset == report.offset && received[0].timestamp != nil)
        #expect(received[1].key == nil && received[1].value.isEmpty && received[1].headers.isEmpty)
    }
}

@Suite struct CommitTests {
    /// Only stored offsets are committed by a clean close; the next member starts right after them.
    @Test func cleanCloseCommitsStoredOffsetsOnly() async throws {
        let topic = try await freshTopic("stored", partitions: 1)
        let group = uniqueName("stored-group")
        let producer = try KafkaProducer(config: try testConfig(), logger: testLogger)
        _ = try await producer.sendBatch(keyedMessages(topic: topic, count: 50, keys: 5)).map { try $0.get() }
        await producer.close()

        let first = try KafkaConsumer(config: try testConfig(), groupID: group, topics: [topic], logger: testLogger)
        var read: [KafkaMessage] = []
        for try await message in first.messages(batchSize: 7) {
            read.append(message)
            if read.count == 30 { break }
        }
        #expect(read.map(\.offset) == Array(0..<30), "one partition: offsets in order, none skipped")
        try first.store(Array(read.prefix(20)))
        try await first.close()

        let second = try KafkaConsumer(config: try testConfig(), groupID: group, topics: [topic], logger: testLogger)
        let rest = try await consume(second, count: 30)
        try await second.close()
        #expect(rest.map(\.offset) == Array(20..<50))
    }

    /// A background commit returns at once and the broker ends up with the stored offsets, while
    /// the consumer keeps polling (the inbox consumer's way: never stall on the coordinator).
    @Test func backgroundCommitReachesTheBrokerWhileTheConsumerGoesOn() async throws {
        let topic = try await freshTopic("background", partitions: 2)
        let group = uniqueName("background-group")
        let producer = try KafkaProducer(config: try testConfig(), logger: testLogger)
        _ = try await producer.sendBatch(keyedMessages(topic: topic, count: 40, keys: 8)).map { try $0.get() }
        await producer.close()

        let consumer = try KafkaConsumer(config: try testConfig(), groupID: group, topics: [topic], logger: testLogger)
        let read = try await consume(consumer, count: 40)
        try #require(read.count == 40)
        try consumer.store(read)
        try consumer.commitStoredInBackground()
        try consumer.commitStoredInBackground()  // nothing new stored: not an error
        let partitions = [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)]
        var expected: [TopicPartition: Int64] = [:]
        for message in read { expected[message.topicPartition] = max(expected[message.topicPartition] ?? 0, message.offset + 1) }
        var committed: [TopicPartition: Int64] = [:]
        let end = ContinuousClock.now + .seconds(30)
        while committed != expected && ContinuousClock.now < end {
            _ = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(200))  // serves the commit callback
            committed = try await consumer.committed(partitions)
        }
        #expect(committed == expected)
        try await consumer.close()
        #expect(throws: KafkaError.self) { try consumer.commitStoredInBackground() }
    }

    /// Storing an offset for a partition this consumer does not hold fails and says which.
    @Test func storeForUnassignedPartitionFails() async throws {
        let topic = try await freshTopic("unassigned", partitions: 1)
        let consumer = try KafkaConsumer(config: try testConfig(), groupID: uniqueName("unassigned-group"),
                                         topics: [topic], logger: testLogger)
        let stray = KafkaMessage(topic: topic, partition: 7, offset: 3, key: nil, value: [])
        let error = #expect(throws: KafkaError.self) { try consumer.store(stray) }
        #expect(error?.message.contains("\(topic)[7]") == true, "got \(String(describing: error))")
        try await consumer.close()
    }
}
