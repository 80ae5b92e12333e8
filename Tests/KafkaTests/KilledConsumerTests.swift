import Foundation
import Kafka
import Testing

/// A consumer process killed with SIGKILL after committing only part of what it read: the next
/// member of its group starts exactly at the first uncommitted offset of every partition.
///
/// The child is this same test binary, re-run with a filter selecting `childConsumer` and
/// environment variables telling it what to do.
@Suite struct KilledConsumerTests {
    static let messageCount = 3_000
    static let committedCount = 400

    @Test func restartedConsumerResumesAtFirstUncommittedOffset() async throws {
        let topic = try await freshTopic("killed", partitions: 3)
        let group = uniqueName("killed-group")
        let producer = try KafkaProducer(config: try testConfig(), logger: testLogger)
        _ = try await producer.sendBatch(keyedMessages(topic: topic, count: Self.messageCount, keys: 30)).map { try $0.get() }
        await producer.close()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("killed"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("committed.txt")
        let log = directory.appendingPathComponent("child.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)

        let child = Process()
        child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "KilledConsumerTests/childConsumer"]
        var environment = ProcessInfo.processInfo.environment
        environment["RESSUS_KAFKA_CHILD_TOPIC"] = topic
        environment["RESSUS_KAFKA_CHILD_GROUP"] = group
        environment["RESSUS_KAFKA_CHILD_OUTPUT"] = output.path
        child.environment = environment
        let logHandle = try FileHandle(forWritingTo: log)
        child.standardOutput = logHandle
        child.standardError = logHandle
        try child.run()

        // Wait for the child to report what it committed, then kill it without any cleanup.
        let deadline = ContinuousClock.now + .seconds(60)
        var report = ""
        while ContinuousClock.now < deadline && child.isRunning {
            report = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if report.hasSuffix("READY\n") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let wasRunning = child.isRunning
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let childLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try #require(wasRunning && report.hasSuffix("READY\n"), "child did not report; its log:\n\(childLog)")
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

        // committed: partition -> next offset the child committed.
        var committed: [Int32: Int64] = [:]
        var childRead = 0
        for line in report.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.first == "committed" { committed[Int32(fields[1])!] = Int64(fields[2])! }
            if fields.first == "read" { childRead = Int(fields[1])! }
        }
        #expect(childRead > Self.committedCount, "the child must have read (and stored) more than it committed")
        #expect(committed.count > 0)

        let consumer = try KafkaConsumer(config: try testConfig(), groupID: group, topics: [topic], logger: testLogger)
        let expected = Self.messageCount - Self.committedCount
        let received = try await consume(consumer, count: expected, within: .seconds(60), settle: .milliseconds(500))
        let partitions = (0..<3).map { TopicPartition(topic: topic, partition: Int32($0)) }
        let groupOffsets = try await consumer.committed(partitions)
        try await consumer.close()

        #expect(received.count == expected)
        for partition in Int32(0)..<3 {
            let first = received.filter { $0.partition == partition }.map(\.offset).min()
            #expect(first == committed[partition, default: 0], "partition \(partition) restarted at \(String(describing: first))")
            if let offset = committed[partition] {
                #expect(groupOffsets[TopicPartition(topic: topic, partition: partition)] ?? -1 >= offset)
            }
        }
    }

    /// The child's part: read more than `committedCount` messages, commit the first
    /// `committedCount`, store (but never commit) the rest, report, and keep polling until killed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RESSUS_KAFKA_CHILD_OUTPUT"] != nil,
                   "runs only as the child process of restartedConsumerResumesAtFirstUncommittedOffset"))
    func childConsumer() async throws {
        let environment = ProcessInfo.processInfo.environment
        let topic = environment["RESSUS_KAFKA_CHILD_TOPIC"]!, group = environment["RESSUS_KAFKA_CHILD_GROUP"]!
        let output = URL(fileURLWithPath: environment["RESSUS_KAFKA_CHILD_OUTPUT"]!)
        let consumer = try KafkaConsumer(config: try testConfig(), groupID: group, topics: [topic], logger: testLogger)
        var read: [KafkaMessage] = []
        while read.count < 2 * Self.committedCount {
            read += try await consumer.poll(maxMessages: 100, timeout: .seconds(1))
        }
        let committed = Array(read.prefix(Self.committedCount))
        try await consumer.commit(committed)
        try consumer.store(read)  // stored only: must not count as committed after the kill
        var report = "read \(read.count)\n"
        var next: [Int32: Int64] = [:]
        for message in committed { next[message.partition] = max(next[message.partition] ?? 0, message.offset + 1) }
        for (partition, offset) in next.sorted(by: { $0.key < $1.key }) { report += "committed \(partition) \(offset)\n" }
        try (report + "READY\n").write(to: output, atomically: true, encoding: .utf8)
        while true { _ = try await consumer.poll(maxMessages: 10, timeout: .seconds(1)) }
    }
}
