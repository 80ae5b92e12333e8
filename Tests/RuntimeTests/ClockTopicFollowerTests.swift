import Foundation
import Kafka
import Logging
import Runtime
import TestSupport
import Testing

/// A clock follower reads the topic to the end it had when asked, in order, and returns there
/// without waiting for the topic to go quiet; a new topic reads as empty.
@Suite struct ClockTopicFollowerTests {
    static let start = ISO8601DateFormatter().date(from: "2026-01-02T12:00:00Z")!

    /// More advances than one poll returns (500), then a catch-up whose idle wait (two minutes)
    /// would break the one-minute limit if it were what ended the reading. Tansu reports the end
    /// of the topic as its last record batch's first offset + 1: reading must not stop there.
    @Test(.timeLimit(.minutes(1))) func catchUpReadsToTheEndWithoutWaitingForQuiet() async throws {
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "ressus-clock-follower-tests")
        let topic = "ressus.clock.test-\(UUID().uuidString.prefix(8).lowercased())"
        var logger = Logger(label: "clock-follower-tests")
        logger.logLevel = .critical

        let empty = try await ClockTopicFollower(kafka: kafka, topic: topic, groupPrefix: "ressus-clock-test", logger: logger)
        #expect(try await empty.catchUp(idle: .seconds(120)).isEmpty)
        await empty.close()

        let instants = (1...1_200).map { Self.start.addingTimeInterval(Double($0) * 3_600) }
        let producer = try KafkaProducer(config: kafka, logger: logger)
        let messages = try instants.map { try ClockTopic.message(ClockAdvanced(instant: $0), source: "tests", time: $0, topic: topic) }
        // Two sends (two record batches, as produced here): the last one larger than a poll's 500.
        for part in [messages[..<100], messages[100...]] {
            for report in await producer.sendBatch(Array(part)) { _ = try report.get() }
        }
        await producer.close()

        let follower = try await ClockTopicFollower(kafka: kafka, topic: topic, groupPrefix: "ressus-clock-test", logger: logger)
        let events = try await follower.catchUp(idle: .seconds(120))
        await follower.close()
        let read = events.compactMap { if case .advanced(let advance) = $0 { advance.instant } else { nil } }
        #expect(read.count == instants.count)
        #expect(read == instants, "first difference at \(read.indices.first { $0 < instants.count && read[$0] != instants[$0] }.map(String.init) ?? "none"), read \(read.count)")
    }
}
