import Kafka
import Testing

@Suite struct BackpressureTests {
    /// A batch far larger than the in-flight bound: never more than N unacknowledged, and the bound
    /// is actually reached (so the check can fail).
    @Test func batchNeverExceedsInFlightBound() async throws {
        let topic = try await freshTopic("backpressure", partitions: 2)
        let bound = 64
        let producer = try KafkaProducer(config: try testConfig(), maxInFlight: bound, logger: testLogger)
        // Independently of the wrapper's counters, watch librdkafka's own queue while sending.
        let sampler = Task.detached {
            var highest = 0
            while !Task.isCancelled {
                highest = max(highest, producer.librdkafkaQueueLength)
                await Task.yield()
            }
            return highest
        }
        let results = await producer.sendBatch(keyedMessages(topic: topic, count: 5_000, keys: 10))
        sampler.cancel()
        let highestQueued = await sampler.value
        let statistics = producer.statistics
        await producer.close()
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        // rd_kafka_outq_len counts messages plus events not yet served (one delivery-report event
        // carries many messages), hence a few events of slack.
        #expect(highestQueued <= bound + 8, "librdkafka held \(highestQueued) messages and events")
        #expect(highestQueued > bound / 4, "the sampler should have seen the queue fill up (saw \(highestQueued))")
        #expect(statistics.peakInFlight <= bound)
        #expect(statistics.peakInFlight == bound, "the producer should have filled the bound")
        #expect(statistics.delivered == 5_000 && statistics.inFlight == 0)
    }

    /// Many concurrent single sends, with librdkafka's own queue smaller than the bound so that
    /// `QUEUE_FULL` happens and is waited out.
    @Test func concurrentSendsRespectBoundAndSurviveQueueFull() async throws {
        let topic = try await freshTopic("backpressure-queue", partitions: 2)
        let bound = 200
        let producer = try KafkaProducer(config: try testConfig(["queue.buffering.max.messages": "20"]),
                                         maxInFlight: bound, logger: testLogger)
        let offsets = try await withThrowingTaskGroup(of: [DeliveryReport].self) { group in
            for task in 0..<40 {
                group.addTask {
                    var reports: [DeliveryReport] = []
                    for index in 0..<50 {
                        reports.append(try await producer.send(topic: topic, key: Array("k\(task)".utf8), value: Array("\(index)".utf8)))
                    }
                    return reports
                }
            }
            return try await group.reduce(into: [DeliveryReport]()) { $0 += $1 }
        }
        let statistics = producer.statistics
        await producer.close()
        #expect(offsets.count == 2_000)
        #expect(Set(offsets.map { "\($0.partition)/\($0.offset)" }).count == 2_000, "every message has its own offset")
        #expect(statistics.peakInFlight <= bound)
        #expect(statistics.delivered == 2_000)
    }
}

@Suite struct ProducerShutdownTests {
    /// A broker nobody answers on, so messages stay in flight.
    func stuckProducer(bound: Int, messageTimeout: Int) throws -> KafkaProducer {
        let config = KafkaConfig(bootstrapServers: "127.0.0.1:1", properties: ["message.timeout.ms": String(messageTimeout)])
        return try KafkaProducer(config: config, maxInFlight: bound, logger: quietLogger)
    }

    func waitUntilInFlight(_ producer: KafkaProducer, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while producer.statistics.inFlight < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(producer.statistics.inFlight == count)
    }

    @Test func closeFailsWaitingAndPurgesInFlightMessages() async throws {
        let producer = try stuckProducer(bound: 5, messageTimeout: 60_000)
        let messages = (0..<100).map { OutgoingMessage(topic: "t", key: nil as String?, value: [UInt8($0)]) }
        let sending = Task { await producer.sendBatch(messages) }
        try await waitUntilInFlight(producer, 5)
        await producer.close(flushTimeout: .milliseconds(100))
        let results = await sending.value
        let names = results.map { result -> String in
            if case .failure(let error) = result { return error.name }
            return "delivered"
        }
        #expect(names.prefix(5).allSatisfy { $0 == "_PURGE_QUEUE" || $0 == "_PURGE_INFLIGHT" }, "\(names.prefix(5))")
        #expect(names.dropFirst(5).allSatisfy { $0 == "CLOSED" })
        #expect(producer.librdkafkaQueueLength == 0)
        await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(1)) }
    }

    @Test func cancellationFailsUnsentMessagesOnly() async throws {
        let producer = try stuckProducer(bound: 5, messageTimeout: 1_500)
        let messages = (0..<100).map { OutgoingMessage(topic: "t", key: nil as String?, value: [UInt8($0)]) }
        let sending = Task { await producer.sendBatch(messages) }
        try await waitUntilInFlight(producer, 5)
        sending.cancel()
        let results = await sending.value
        await producer.close(flushTimeout: .milliseconds(100))
        let names = results.map { result -> String in
            if case .failure(let error) = result { return error.name }
            return "delivered"
        }
        #expect(names.prefix(5).allSatisfy { $0 == "_MSG_TIMED_OUT" }, "\(names.prefix(5))")
        #expect(names.dropFirst(5).allSatisfy { $0 == "CANCELLED" })
        #expect(producer.statistics.failed == 100 && producer.statistics.inFlight == 0)
    }
}
