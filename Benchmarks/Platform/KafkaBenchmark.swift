import CRdKafka
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Kafka
import Logging

/// Produce and consume throughput of the Kafka wrapper against a raw librdkafka loop with the same
/// settings (idempotent, acks=all, linger.ms=5; consumer in a group, no auto commit), on fresh
/// topics, plus the memory growth of a producer outrunning the broker.
enum KafkaBenchmark {
    static let partitions = 6
    static let payloadSize = 300
    static let keyCount = 1_000

    static let rounds = 5

    /// Runs the memory check, then `rounds` alternating rounds of raw and wrapper measurements,
    /// and reports the best figure of each and the median of the per-round ratios (the machine is
    /// shared, so single figures are noisy). The wrapper keeps its default in-flight bound.
    static func run(brokers: String, messages: Int = 100_000) async throws {
        var logger = Logger(label: "kafka-benchmark")
        logger.logLevel = .warning
        let config = KafkaConfig(bootstrapServers: brokers, clientID: "ressus-benchmark")
        let admin = try KafkaAdmin(config: config, logger: logger)
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let rawTopics = (1...rounds).map { "bench-raw-\(run)-\($0)" }
        let wrapperTopics = (1...rounds).map { "bench-wrapper-\(run)-\($0)" }
        let memoryTopic = "bench-memory-\(run)"
        let allTopics = rawTopics + wrapperTopics + [memoryTopic]
        try await admin.createTopics(allTopics.map { TopicSpec(name: $0, partitions: partitions) })
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: payloadSize)
        let keys = (0..<keyCount).map { Array("key-\($0)".utf8) }

        print("Kafka: \(messages) messages of \(payloadSize) bytes, \(partitions) partitions, librdkafka \(LibrdkafkaVersion.loadedString), \(rounds) alternating rounds")
        // Memory first, while the process is fresh: a small bound, the default bound, and a bound
        // as large as the whole run (effectively unbounded) for comparison.
        let memoryMessages = 3 * messages
        print(String(format: "  producer outrunning the broker (%d messages, %.0f MB of payload, all sends started at once):",
                     memoryMessages, Double(memoryMessages * payloadSize) / 1_048_576))
        for bound in [10_000, KafkaDefaults.maxInFlightMessages, memoryMessages] {
            let result = try await memoryGrowth(config: config, topic: memoryTopic, keys: keys, payload: payload,
                                                count: memoryMessages, maxInFlight: bound, logger: logger)
            print(String(format: "    in-flight bound %6d: peak RSS growth %6.1f MB, librdkafka queue peak %d",
                         bound, result.megabytes, result.queued))
        }

        var produce = (raw: [Double](), wrapper: [Double]())
        var consume = (raw: [Double](), wrapper: [Double]())
        for round in 0..<rounds {
            // Alternate which goes first so neither always gets the warmer broker.
            for rawFirst in round % 2 == 0 ? [true, false] : [false, true] {
                if rawFirst {
                    produce.raw.append(try RawProbe.produce(brokers: brokers, topic: rawTopics[round], keys: keys,
                                                            payload: payload, count: messages))
                } else {
                    produce.wrapper.append(try await produceWithWrapper(config: config, topic: wrapperTopics[round], keys: keys,
                                                                        payload: payload, count: messages, logger: logger))
                }
            }
        }
        for round in 0..<rounds {
            for rawFirst in round % 2 == 0 ? [true, false] : [false, true] {
                if rawFirst {
                    consume.raw.append(try RawProbe.consume(brokers: brokers, topic: rawTopics[round],
                                                            group: "bench-raw-\(run)-\(round)", count: messages))
                } else {
                    consume.wrapper.append(try await consumeWithWrapper(config: config, topic: wrapperTopics[round],
                                                                        group: "bench-wrapper-\(run)-\(round)",
                                                                        count: messages, logger: logger))
                }
            }
        }
        report("produce", wrapper: produce.wrapper, raw: produce.raw)
        report("consume", wrapper: consume.wrapper, raw: consume.raw)
        // A group that committed nothing: the lag query also asks for every partition's start.
        try await LagQueryBenchmark.run(config: config, brokers: brokers, topics: rawTopics + wrapperTopics,
                                        partitionsPerTopic: partitions, group: "bench-lag-\(run)")

        try await admin.deleteTopics(allTopics)
    }

    /// Prints the best figures and the median of the per-round ratios (each round measures raw and
    /// wrapper back to back, so the pairing cancels most of the shared machine's load changes).
    private static func report(_ what: String, wrapper: [Double], raw: [Double]) {
        let rounds = zip(raw, wrapper).map { String(format: "%.0fk/%.0fk", $0 / 1000, $1 / 1000) }.joined(separator: ", ")
        let ratios = zip(wrapper, raw).map { $0 / $1 }.sorted()
        print(String(format: "  %@: wrapper %.0f msg/s, raw librdkafka %.0f msg/s (best); wrapper/raw median %.0f%% (rounds raw/wrapper: %@)",
                     what, wrapper.max()!, raw.max()!, 100 * ratios[ratios.count / 2], rounds))
    }

    private static func produceWithWrapper(config: KafkaConfig, topic: String, keys: [[UInt8]], payload: [UInt8],
                                           count: Int, logger: Logger) async throws -> Double {
        let producer = try KafkaProducer(config: config, logger: logger)
        let messages = (0..<count).map { OutgoingMessage(topic: topic, key: keys[$0 % keys.count], value: payload) }
        let start = ContinuousClock.now
        let results = await producer.sendBatch(messages)
        let elapsed = ContinuousClock.now - start
        await producer.close()
        let failed = results.filter { if case .failure = $0 { true } else { false } }.count
        guard failed == 0 else { throw Failure("wrapper produce: \(failed) messages failed") }
        return Double(count) / elapsed.seconds
    }

    private static func consumeWithWrapper(config: KafkaConfig, topic: String, group: String, count: Int,
                                           logger: Logger) async throws -> Double {
        let consumer = try KafkaConsumer(config: config, groupID: group, topics: [topic], logger: logger)
        var received = 0
        var start: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(120)
        while received < count {
            guard ContinuousClock.now < deadline else { throw Failure("wrapper consume: only \(received) of \(count)") }
            let batch = try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(500))
            if start == nil && !batch.isEmpty { start = ContinuousClock.now }
            received += batch.count
        }
        let elapsed = ContinuousClock.now - start!
        try await consumer.close()
        return Double(count) / elapsed.seconds
    }

    /// Starts one sending task per 1,000 messages, all at once (the application outruns the
    /// broker), and returns the highest resident-memory growth and librdkafka queue length seen.
    private static func memoryGrowth(config: KafkaConfig, topic: String, keys: [[UInt8]], payload: [UInt8],
                                     count: Int, maxInFlight: Int, logger: Logger) async throws -> (megabytes: Double, queued: Int) {
        let producer = try KafkaProducer(config: config, maxInFlight: maxInFlight, logger: logger)
        releaseFreedMemory()  // so memory freed by the previous measurement does not hide this one's growth
        let baseline = residentBytes()
        let sampler = Task.detached {
            var peak = (resident: 0, queued: 0)
            while !Task.isCancelled {
                peak = (max(peak.resident, residentBytes()), max(peak.queued, producer.librdkafkaQueueLength))
                try? await Task.sleep(for: .milliseconds(5))
            }
            return peak
        }
        let chunk = 1_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: count, by: chunk) {
                group.addTask {
                    let batch = (start..<min(start + chunk, count)).map {
                        OutgoingMessage(topic: topic, key: keys[$0 % keys.count], value: payload)
                    }
                    for result in await producer.sendBatch(batch) { _ = try result.get() }
                }
            }
            try await group.waitForAll()
        }
        sampler.cancel()
        let peak = await sampler.value
        await producer.close()
        return (Double(max(0, peak.resident - baseline)) / 1_048_576, peak.queued)
    }

    /// Returns free heap memory to the system (glibc's `malloc_trim`, looked up at run time since
    /// Swift's Glibc module does not export malloc.h).
    fileprivate static func releaseFreedMemory() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
        #endif
    }

    /// Resident set size of this process (VmRSS from /proc/self/status), in bytes.
    fileprivate static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ")[1]) else { return 0 }
        return kilobytes * 1024
    }
}

extension KafkaBenchmark {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension Duration {
    /// The duration in seconds (this module's benchmarks).
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension KafkaBenchmark {
    /// The same work written directly against librdkafka's C API: the baseline for the wrapper.
    enum RawProbe {
        /// Counts delivery reports; passed as the client's opaque.
        final class Counters {
            var delivered = 0
            var failed = 0
        }

        static func makeClient(_ type: rd_kafka_type_t, _ settings: [String: String], setup: (OpaquePointer) -> Void) throws -> OpaquePointer {
            let conf = rd_kafka_conf_new()!
            var error = [CChar](repeating: 0, count: 512)
            for (name, value) in settings where rd_kafka_conf_set(conf, name, value, &error, error.count) != RD_KAFKA_CONF_OK {
                throw Failure("raw: \(name)=\(value) rejected")
            }
            setup(conf)
            guard let handle = rd_kafka_new(type, conf, &error, error.count) else { throw Failure("raw: rd_kafka_new failed") }
            return handle
        }

        static func produce(brokers: String, topic: String, keys: [[UInt8]], payload: [UInt8], count: Int) throws -> Double {
            let counters = Counters()
            let handle = try makeClient(RD_KAFKA_PRODUCER, [
                "bootstrap.servers": brokers, "enable.idempotence": "true", "acks": "all", "linger.ms": "5",
                "queue.buffering.max.messages": "100000", "log_level": "4",
            ]) { conf in
                rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(counters).toOpaque())
                rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                    let counters = Unmanaged<Counters>.fromOpaque(opaque!).takeUnretainedValue()
                    if message!.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { counters.delivered += 1 } else { counters.failed += 1 }
                }
            }
            defer { rd_kafka_destroy(handle) }
            let start = ContinuousClock.now
            payload.withUnsafeBytes { value in
                for index in 0..<count {
                    keys[index % keys.count].withUnsafeBytes { key in
                        while ressus_rd_kafka_produce(handle, topic, RD_KAFKA_PARTITION_UA, key.baseAddress, key.count,
                                                      value.baseAddress, value.count, nil, nil) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                            rd_kafka_poll(handle, 1)
                        }
                    }
                    rd_kafka_poll(handle, 0)
                }
            }
            _ = rd_kafka_flush(handle, 120_000)
            let elapsed = ContinuousClock.now - start
            guard counters.delivered == count else {
                throw Failure("raw produce: \(counters.delivered) delivered, \(counters.failed) failed")
            }
            return Double(count) / elapsed.seconds
        }

        static func consume(brokers: String, topic: String, group: String, count: Int) throws -> Double {
            let handle = try makeClient(RD_KAFKA_CONSUMER, [
                "bootstrap.servers": brokers, "group.id": group, "auto.offset.reset": "earliest",
                "enable.auto.commit": "false", "enable.auto.offset.store": "false",
                "session.timeout.ms": String(KafkaDefaults.sessionTimeoutMilliseconds),
                "partition.assignment.strategy": "cooperative-sticky", "log_level": "4",
            ]) { _ in }
            defer { rd_kafka_destroy(handle) }
            rd_kafka_poll_set_consumer(handle)
            let list = rd_kafka_topic_partition_list_new(1)!
            rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA)
            rd_kafka_subscribe(handle, list)
            rd_kafka_topic_partition_list_destroy(list)
            var received = 0, bytes = 0
            var start: ContinuousClock.Instant?
            let deadline = ContinuousClock.now + .seconds(120)
            while received < count {
                guard ContinuousClock.now < deadline else { throw Failure("raw consume: only \(received) of \(count)") }
                guard let message = rd_kafka_consumer_poll(handle, 500) else { continue }
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    if start == nil { start = ContinuousClock.now }
                    received += 1
                    bytes += message.pointee.len
                }
                rd_kafka_message_destroy(message)
            }
            let elapsed = ContinuousClock.now - start!
            rd_kafka_consumer_close(handle)
            return Double(count) / elapsed.seconds
        }
    }
}
