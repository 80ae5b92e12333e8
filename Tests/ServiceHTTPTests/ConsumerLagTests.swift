import Foundation
import Kafka
import Logging
import Prometheus
import Runtime
import ServiceHTTP
import TestSupport
import Testing

/// `KafkaConsumer.lag()` and the lag reporter against the local broker.
@Suite struct ConsumerLagTests {
    var logger: Logger {
        var logger = Logger(label: "service-http-tests")
        logger.logLevel = .warning
        return logger
    }

    @Test func lagIsProducedMinusCommitted() async throws {
        let config = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "ressus-service-http-tests")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topic = "lag-\(suffix)"
        let admin = try KafkaAdmin(config: config, logger: logger)
        try await admin.createTopics([TopicSpec(name: topic, partitions: 2)])
        defer { Task { [admin] in try? await admin.deleteTopics([topic]) } }

        let produced = 30
        let producer = try KafkaProducer(config: config, logger: logger)
        for index in 0..<produced {
            _ = try await producer.send(topic: topic, key: Array("key-\(index % 7)".utf8), value: Array("\(index)".utf8))
        }
        await producer.close()

        let consumer = try KafkaConsumer(config: config, groupID: "lag-group-\(suffix)", topics: [topic], logger: logger)
        var received: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(45)
        while received.count < produced && ContinuousClock.now < deadline {
            received += try await consumer.poll(maxMessages: 100, timeout: .milliseconds(500))
        }
        try #require(received.count == produced, "received \(received.count) of \(produced)")

        // Nothing committed yet: the whole log is lag.
        let before = try await consumer.lag()
        #expect(before.values.map(\.lag).reduce(0, +) == Int64(produced))
        #expect(before.values.allSatisfy { $0.committed == nil })

        // Commit a prefix of one partition only, K messages in all: the lag then mixes committed
        // offsets and the other partition's log start.
        let byPartition = Dictionary(grouping: received, by: \.partition).mapValues { $0.sorted { $0.offset < $1.offset } }
        try #require(byPartition.count == 2, "both partitions hold messages")
        let first = try #require(byPartition.keys.min())
        let committed = Array(byPartition[first]!.prefix(byPartition[first]!.count / 2))
        let k = committed.count
        try #require(k > 0 && k < produced)
        try await consumer.commit(committed)

        let lag = try await consumer.lag()
        #expect(Set(lag.keys) == consumer.assignment)
        #expect(lag.values.map(\.lag).reduce(0, +) == Int64(produced - k))
        #expect(lag.values.map(\.highWatermark).reduce(0, +) == Int64(produced))
        #expect(lag.values.filter { $0.committed != nil }.map(\.topicPartition.partition) == [first])
        for (partition, messages) in byPartition {
            let entry = try #require(lag[TopicPartition(topic: topic, partition: partition)])
            #expect(entry.highWatermark == messages.last!.offset + 1)
            #expect(entry.lag == Int64(partition == first ? messages.count - k : messages.count))
        }
        // A partition asked for twice is measured once.
        #expect(try await consumer.lag(of: Array(consumer.assignment) + Array(consumer.assignment)) == lag)

        // An observer of the group (the load replay's progress) reads the same lag without joining
        // it: the member keeps its partitions.
        let observer = try KafkaGroupObserver(config: config, groupID: "lag-group-\(suffix)", logger: logger)
        #expect(try await observer.lag(of: Array(consumer.assignment)) == lag)
        _ = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(500))
        #expect(Set(lag.keys) == consumer.assignment)

        // The reporter exports the same figure as `ressus_consumer_lag`.
        let registry = PrometheusCollectorRegistry()
        let reporter = ConsumerLagReporter(consumers: [consumer], logger: logger,
                                           factory: ServiceMetrics.makeFactory(registry: registry))
        await reporter.reportOnce()
        let prefix = #"ressus_consumer_lag{consumer="lag-group-\#(suffix)",topic="\#(topic)"} "#
        let line = try #require(registry.emitToString().split(separator: "\n").first { $0.hasPrefix(prefix) },
                                "no lag gauge in:\n\(registry.emitToString())")
        #expect(Double(line.dropFirst(prefix.count)) == Double(produced - k))

        try await consumer.close()
        await reporter.reportOnce()  // a closed consumer is skipped, not an error
    }
}
