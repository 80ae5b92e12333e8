import Foundation
import Kafka
import Logging
import Testing

struct MissingEnvironment: Error, CustomStringConvertible {
    let description: String
}

/// The broker under test, from RESSUS_KAFKA_BROKERS (set by `make test` from .local/run/env.sh).
func brokers() throws -> String {
    guard let brokers = ProcessInfo.processInfo.environment["RESSUS_KAFKA_BROKERS"], !brokers.isEmpty else {
        throw MissingEnvironment(description:
            "RESSUS_KAFKA_BROKERS is not set: run `make test` or `source .local/run/env.sh` first")
    }
    return brokers
}

func testConfig(_ properties: [String: String] = [:]) throws -> KafkaConfig {
    KafkaConfig(bootstrapServers: try brokers(), clientID: "ressus-kafka-tests", properties: properties)
}

/// A name no other test (or earlier run) uses.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// For tests that talk to an unreachable broker on purpose (its connection errors are expected).
var quietLogger: Logger {
    var logger = Logger(label: "kafka-tests")
    logger.logLevel = .critical
    return logger
}

var testLogger: Logger {
    var logger = Logger(label: "kafka-tests")
    logger.logLevel = .warning
    return logger
}

/// Creates a fresh topic with `partitions` partitions and returns its name.
func freshTopic(_ prefix: String, partitions: Int) async throws -> String {
    let name = uniqueName(prefix)
    let admin = try KafkaAdmin(config: try testConfig(), logger: testLogger)
    try await admin.createTopics([TopicSpec(name: name, partitions: partitions)])
    return name
}

/// Values "key|sequence" for `count` messages over `keys` keys, sequence counted per key.
func keyedMessages(topic: String, count: Int, keys: Int, payloadPadding: Int = 0) -> [OutgoingMessage] {
    var sequences = [Int](repeating: 0, count: keys)
    let padding = String(repeating: "x", count: payloadPadding)
    return (0..<count).map { index in
        let key = index % keys
        defer { sequences[key] += 1 }
        return OutgoingMessage(topic: topic, key: "key-\(key)", value: Array("key-\(key)|\(sequences[key])|\(padding)".utf8))
    }
}

/// Parses a value made by `keyedMessages`.
func parseKeyed(_ message: KafkaMessage) -> (key: String, sequence: Int) {
    let parts = String(decoding: message.value, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
    return (String(parts[0]), Int(parts[1])!)
}

/// Polls until `count` messages arrived or `deadline` passed, then keeps polling `settle` longer
/// to catch duplicates. Stores and commits each batch when `commit` is set.
func consume(_ consumer: KafkaConsumer, count: Int, within deadline: Duration = .seconds(60),
             settle: Duration = .zero, commit: Bool = false) async throws -> [KafkaMessage] {
    var received: [KafkaMessage] = []
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while received.count < count && clock.now < end {
        let batch = try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(500))
        received += batch
        if commit && !batch.isEmpty { try await consumer.commit(batch) }
    }
    let settleEnd = clock.now + settle
    while clock.now < settleEnd {
        received += try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(200))
    }
    return received
}

/// Test-side shared state behind a lock (`@unchecked Sendable`: every access holds `lock`).
final class Guarded<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A swift-log handler that keeps what it is given, for checking the librdkafka log bridge.
struct CapturingLogHandler: LogHandler {
    let entries: Guarded<[(Logger.Level, String)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        entries.withLock { $0.append((event.level, event.message.description)) }
    }
}
