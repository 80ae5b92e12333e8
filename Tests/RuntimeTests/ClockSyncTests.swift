import Foundation
import Kafka
import Logging
import Postgres
import Runtime
import TestSupport
import Testing

@Suite struct ClockSyncTests {
    static let start = ISO8601DateFormatter().date(from: "2026-01-02T12:00:00Z")!

    static func kafka() throws -> KafkaConfig {
        KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "ressus-clock-tests")
    }

    /// Collects what a test follower reads from the clock topic.
    actor Observed {
        private(set) var acks: [ClockAcknowledged] = []
        func add(_ events: [ClockEvent]) {
            for case .acknowledged(let ack) in events { acks.append(ack) }
        }
        func acks(from instance: String) -> [ClockAcknowledged] { acks.filter { $0.instance == instance } }
    }

    static func waitFor(
        _ what: String, in observed: Observed, follower: ClockTopicFollower, timeout: Duration = .seconds(30),
        _ condition: ([ClockAcknowledged]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while await !condition(observed.acks) {
            if ContinuousClock.now > deadline { throw TestFailure("timed out waiting for \(what); acks: \(await observed.acks)") }
            await observed.add(try await follower.poll(timeout: .milliseconds(200)))
        }
    }

    @Test func instancesFollowTheSharedClockAcknowledgeAndNeverGoBack() async throws {
        let kafka = try Self.kafka()
        let topic = "ressus.clock.test-\(UUID().uuidString.prefix(8).lowercased())"
        let logger = Logger(label: "ressus.tests.clock")
        try await SchedulerTestSchema.withSchema { pool, _ in
            // Items due along the first ten days; instance "a" fires them before acknowledging.
            try await pool.withTransaction { connection in
                for day in 0..<20 {
                    try ScheduledWork.schedule(kind: "tick", key: "day-\(day)", dueAt: Self.start.addingTimeInterval(Double(day) * 86_400 + 1), on: connection)
                }
            }
            let clockA = SimulatedClock(startingAt: Self.start), clockB = SimulatedClock(startingAt: Self.start)
            let scheduler = SchedulerWorker(
                database: pool, clock: clockA, handlers: [SchedulerTestSchema.recorder(kind: "tick")], serviceName: "alpha")
            let syncA = ClockSync(clock: clockA, kafka: kafka, serviceName: "alpha", instanceID: "a", scheduler: scheduler, topic: topic)
            let syncB = ClockSync(clock: clockB, kafka: kafka, serviceName: "beta", instanceID: "b", scheduler: nil, topic: topic)
            let running = RunningServices([scheduler, syncA, syncB])
            let follower = try await ClockTopicFollower(kafka: kafka, topic: topic, groupPrefix: "ressus-clock-test")
            let observed = Observed()

            let tenDays = Self.start.addingTimeInterval(10 * 86_400)
            try await ClockTopic.publishAdvance(to: tenDays, kafka: kafka, topic: topic, source: "tests", logger: logger)
            try await Self.waitFor("both instances to acknowledge day 10", in: observed, follower: follower) { acks in
                acks.contains { $0.instance == "a" && $0.instant == tenDays } && acks.contains { $0.instance == "b" && $0.instant == tenDays }
            }
            // The acknowledgement is truthful: everything due by then has fired.
            #expect(try await pool.count("SELECT count(*) FROM fire_log") == 10)
            #expect(clockA.now == tenDays && clockB.now == tenDays)
            #expect(await observed.acks(from: "a").first?.service == "alpha")

            // An older instant is acknowledged with the current one and moves nothing back.
            let acksBefore = (await observed.acks(from: "a").count, await observed.acks(from: "b").count)
            try await ClockTopic.publishAdvance(to: Self.start.addingTimeInterval(5 * 86_400), kafka: kafka, topic: topic,
                                                source: "tests", logger: logger)
            try await Self.waitFor("acknowledgements of the older instant", in: observed, follower: follower) { acks in
                acks.filter { $0.instance == "a" }.count > acksBefore.0 && acks.filter { $0.instance == "b" }.count > acksBefore.1
            }
            #expect(clockA.now == tenDays && clockB.now == tenDays)
            #expect(await observed.acks.allSatisfy { $0.instant == tenDays })

            // A late instance replays the topic and ends at the latest instant.
            let fifteenDays = Self.start.addingTimeInterval(15 * 86_400)
            try await ClockTopic.publishAdvance(to: fifteenDays, kafka: kafka, topic: topic, source: "tests", logger: logger)
            let clockC = SimulatedClock(startingAt: Self.start)
            let syncC = ClockSync(clock: clockC, kafka: kafka, serviceName: "gamma", instanceID: "c", scheduler: nil, topic: topic)
            let late = RunningServices([syncC])
            await syncC.caughtUp()
            #expect(clockC.now == fifteenDays, "caught up, so at the latest published instant")
            try await Self.waitFor("all three instances to acknowledge day 15", in: observed, follower: follower) { acks in
                ["a", "b", "c"].allSatisfy { instance in acks.contains { $0.instance == instance && $0.instant == fifteenDays } }
            }
            #expect(clockA.now == fifteenDays && clockB.now == fifteenDays && clockC.now == fifteenDays)
            #expect(await observed.acks(from: "c").allSatisfy { $0.instant == fifteenDays })
            #expect(try await pool.count("SELECT count(*) FROM fire_log") == 15)

            await follower.close()
            try await late.stop()
            try await running.stop()
        }
        try? await KafkaAdmin(config: kafka).deleteTopics([topic])
    }

    @Test func clockModeIsReadFromItsVariables() throws {
        #expect(try ClockMode.parse(mode: nil, start: nil) == .wall)
        #expect(try ClockMode.parse(mode: "simulated", start: nil)
            == .simulated(start: ISO8601DateFormatter().date(from: "2026-01-02T12:00:00Z")!))
        #expect(try ClockMode.parse(mode: "simulated", start: "2026-03-16T00:00:00-03:00")
            == .simulated(start: ISO8601DateFormatter().date(from: "2026-03-16T03:00:00Z")!))
        #expect(throws: ConfigurationError.self) { try ClockMode.parse(mode: "fast", start: nil) }
        #expect(throws: ConfigurationError.self) { try ClockMode.parse(mode: "simulated", start: "16/03/2026") }
        #expect(ClockMode.wall.makeClock() is WallClock)
    }
}
