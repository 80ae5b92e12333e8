import Foundation
import Models
import Runtime
import Testing

@Suite struct BusinessClockTests {
    @Test func civilDateIsInBrasiliaTime() throws {
        // 2026-03-01T02:30Z is still 2026-02-28 23:30 in Brasília (UTC-3, no daylight saving since 2019).
        let instant = try #require(ISO8601DateFormatter().date(from: "2026-03-01T02:30:00Z"))
        let date = BusinessTimeZone.civilDate(of: instant)
        #expect(date == (try CivilDate(year: 2026, month: 2, day: 28)))
        #expect(BusinessTimeZone.startOfDay(try CivilDate(year: 2026, month: 3, day: 1)) == ISO8601DateFormatter().date(from: "2026-03-01T03:00:00Z"))
    }

    @Test func simulatedClockMovesOnlyForward() throws {
        let start = BusinessTimeZone.startOfDay(try CivilDate(year: 2026, month: 1, day: 5))
        let clock = SimulatedClock(startingAt: start)
        #expect(clock.today == (try CivilDate(year: 2026, month: 1, day: 5)))
        clock.advance(bySeconds: 86_400 * 30)
        #expect(clock.today == (try CivilDate(year: 2026, month: 2, day: 4)))
        #expect(clock.advance(to: start) == false)
        #expect(clock.today == (try CivilDate(year: 2026, month: 2, day: 4)))
    }

    @Test func configurationNamesTheMissingVariable() {
        let descriptor = ServiceDescriptor(name: "debt-calculator", schema: "debt_calculator")
        #expect(descriptor.environmentPrefix == "RESSUS_DEBT_CALCULATOR_")
        #expect(throws: ConfigurationError.self) { try ServiceConfiguration(for: descriptor, environment: [:]) }
        let env = ["RESSUS_DATABASE_URL": "postgresql://a/b", "RESSUS_DEBT_CALCULATOR_DATABASE_URL": "postgresql://c/d",
                   "RESSUS_KAFKA_BROKERS": "127.0.0.1:9092", "RESSUS_LOG_FORMAT": "json"]
        let config = try? ServiceConfiguration(for: descriptor, environment: env)
        #expect(config?.databaseURL == "postgresql://c/d")
        #expect(config?.logFormat == .json)
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(for: descriptor, environment: env.merging(["RESSUS_DB_POOL_SIZE": "0"]) { $1 })
        }
        #expect(config?.portalInsecureCookies == false)
        let insecure = try? ServiceConfiguration(for: descriptor, environment: env.merging(["RESSUS_PORTAL_INSECURE_COOKIES": "1"]) { $1 })
        #expect(insecure?.portalInsecureCookies == true)
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(for: descriptor, environment: env.merging(["RESSUS_PORTAL_INSECURE_COOKIES": "sim"]) { $1 })
        }
        #expect(config?.scheduler.fireBatchesAtOnce == true)
        #expect(config?.scheduler.batchSize == SchedulerPolicy().batchSize)
        let oneByOne = try? ServiceConfiguration(for: descriptor, environment: env.merging(
            ["RESSUS_SCHEDULER_FIRE_AT_ONCE": "0", "RESSUS_SCHEDULER_BATCH_SIZE": "250"]) { $1 })
        #expect(oneByOne?.scheduler.fireBatchesAtOnce == false)
        #expect(oneByOne?.scheduler.batchSize == 250)
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(for: descriptor, environment: env.merging(["RESSUS_SCHEDULER_FIRE_AT_ONCE": "yes"]) { $1 })
        }
    }

    @Test func kafkaPropertiesArePassedThroughAndMalformedOnesRefused() throws {
        let descriptor = ServiceDescriptor(name: "intake", schema: "intake")
        let env = ["RESSUS_DATABASE_URL": "postgresql://a/b", "RESSUS_KAFKA_BROKERS": "127.0.0.1:9092"]
        #expect(try ServiceConfiguration(for: descriptor, environment: env).kafkaProperties.isEmpty)
        let tuned = try ServiceConfiguration(for: descriptor, environment: env.merging(
            ["RESSUS_KAFKA_PROPERTIES": " fetch.wait.max.ms = 100 ;debug=fetch,msg;; "]) { $1 })
        #expect(tuned.kafkaProperties == ["fetch.wait.max.ms": "100", "debug": "fetch,msg"])
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(for: descriptor, environment: env.merging(["RESSUS_KAFKA_PROPERTIES": "debug"]) { $1 })
        }
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(for: descriptor, environment: env.merging(["RESSUS_KAFKA_PROPERTIES": "=1"]) { $1 })
        }
    }
}
