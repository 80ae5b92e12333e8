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
