import Kafka
import Logging
import Testing

@Suite struct ErrorTests {
    @Test func unreachableBrokerTimesOutWithKafkaError() async throws {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", properties: ["message.timeout.ms": "1500"])
        let producer = try KafkaProducer(config: config, logger: quietLogger)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(topic: uniqueName("nowhere"), key: nil, value: Array("x".utf8))
        }
        await producer.close(flushTimeout: .milliseconds(100))
        #expect(error?.isTimeout == true, "got \(String(describing: error))")
        #expect(error?.name == "_MSG_TIMED_OUT")
    }

    @Test func unknownPropertyIsNamed() throws {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "1"])
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(config: config, logger: testLogger) }
        #expect(error?.message.contains("no.such.property") == true, "got \(String(describing: error))")
    }

    @Test func invalidValueIsNamed() throws {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", properties: ["session.timeout.ms": "soon"])
        let error = #expect(throws: KafkaError.self) {
            try KafkaConsumer(config: config, groupID: "g", topics: ["t"], logger: testLogger)
        }
        #expect(error?.message.contains("session.timeout.ms") == true, "got \(String(describing: error))")
    }

    @Test func closedConsumerRefusesPollAndCommit() async throws {
        let topic = try await freshTopic("closed", partitions: 1)
        let consumer = try KafkaConsumer(config: try testConfig(), groupID: uniqueName("closed-group"),
                                         topics: [topic], logger: testLogger)
        try await consumer.close()
        let pollError = await #expect(throws: KafkaError.self) { try await consumer.poll() }
        #expect(pollError?.name == "CLOSED")
        await #expect(throws: KafkaError.self) { try await consumer.commitStored() }
        let storeError = #expect(throws: KafkaError.self) {
            try consumer.store(KafkaMessage(topic: topic, partition: 0, offset: 0, key: nil, value: []))
        }
        #expect(storeError?.name == "CLOSED")
        try await consumer.close()  // a second close does nothing
        var count = 0
        for try await _ in consumer.messages() { count += 1 }
        #expect(count == 0)
    }
}

@Suite struct LoggingBridgeTests {
    /// librdkafka's own log lines and error events reach the client's swift-log Logger.
    @Test func librdkafkaLogsReachSwiftLog() async throws {
        let entries = Guarded<[(Logger.Level, String)]>([])
        let logger = Logger(label: "bridge") { _ in CapturingLogHandler(entries: entries) }
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", properties: ["message.timeout.ms": "500"])
        let producer = try KafkaProducer(config: config, logger: logger)
        _ = try? await producer.send(topic: uniqueName("nowhere"), key: nil, value: [1])
        await producer.close(flushTimeout: .milliseconds(100))
        let logged = entries.withLock { $0 }
        #expect(logged.contains { $0.0 == .error && $0.1.contains("librdkafka FAIL") && $0.1.contains("127.0.0.1:1") },
                "\(logged)")
        #expect(logged.contains { $0.0 == .warning && $0.1.contains("librdkafka error _TRANSPORT") }, "\(logged)")
    }
}
