import Foundation

/// Identifies one of the five services: its name (used in logs, consumer groups, client ids) and the
/// PostgreSQL schema it owns.
public struct ServiceDescriptor: Sendable, Hashable {
    /// Short kebab-case name, e.g. "debt-calculator".
    public let name: String
    /// The PostgreSQL schema this service owns; no other service reads it.
    public let schema: String
    /// Server settings for every connection of the service (`-c name=value` at connect time).
    public let databaseSettings: [String: String]

    public init(name: String, schema: String, databaseSettings: [String: String] = [:]) {
        self.name = name
        self.schema = schema
        self.databaseSettings = databaseSettings
    }

    public static let intake = ServiceDescriptor(name: "intake", schema: "intake")
    public static let deadlines = ServiceDescriptor(name: "deadlines", schema: "deadlines")
    public static let debtCalculator = ServiceDescriptor(name: "debt-calculator", schema: "debt_calculator")
    /// JIT off: its statements are index lookups, of a page (portal) or over a batch (read model),
    /// whose estimated costs (a situation looked up per row; tables growing faster than their
    /// statistics) pass `jit_above_cost`; compiling took longer than running: tens of milliseconds
    /// per statement, most of report-benchmark's portal p99, and 15-20 ms per situation refresh.
    /// Every pool on its schema takes it (`PostgresConfiguration(…service:…)`: service, CLI, benchmarks).
    public static let reportPublisher = ServiceDescriptor(name: "report-publisher", schema: "report_publisher",
                                                          databaseSettings: ["jit": "off"])
    public static let fnsTransfer = ServiceDescriptor(name: "fns-transfer", schema: "fns_transfer")

    /// The five services, in the order of the billing cycle.
    public static let all: [ServiceDescriptor] = [intake, deadlines, debtCalculator, reportPublisher, fnsTransfer]

    /// The service with this name or schema, e.g. "debt-calculator" or "debt_calculator".
    public static func named(_ nameOrSchema: String) -> ServiceDescriptor? {
        all.first { $0.name == nameOrSchema || $0.schema == nameOrSchema }
    }

    /// The environment-variable prefix for per-service overrides, e.g. `RESSUS_DEBT_CALCULATOR_`.
    public var environmentPrefix: String {
        "RESSUS_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
    }
}

/// A configuration value that is missing or malformed.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let problem: String
    public var description: String { "configuration error: \(variable) \(problem)" }
}

/// Service configuration read from environment variables. Every variable, with its default, is
/// listed here and in README.md ("Configuration").
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `RESSUS_DATABASE_URL` | required | PostgreSQL URL shared by the services |
/// | `RESSUS_<SERVICE>_DATABASE_URL` | `RESSUS_DATABASE_URL` | this service's own database (moves its schema) |
/// | `RESSUS_KAFKA_BROKERS` | required | Kafka bootstrap servers, `host:port[,host:port]` |
/// | `RESSUS_KAFKA_PROPERTIES` | none | extra librdkafka properties for every client, `name=value;name=value` (e.g. `fetch.wait.max.ms=100;debug=fetch`) |
/// | `RESSUS_LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
/// | `RESSUS_LOG_FORMAT` | `text` | `text` or `json` (one JSON object per line) |
/// | `RESSUS_DB_POOL_SIZE` | `4` | PostgreSQL connections per service instance |
/// | `RESSUS_SHUTDOWN_TIMEOUT_SECONDS` | `15` | bound on graceful shutdown before cancellation |
/// | `RESSUS_CLOCK` | `wall` | `wall` or `simulated` (shared through the `ressus.clock` topic) |
/// | `RESSUS_CLOCK_START` | `2026-01-02T09:00:00-03:00` | simulated instant before any advance |
/// | `RESSUS_CLOCK_TOPIC` | `ressus.clock` | topic sharing the simulated clock |
/// | `RESSUS_<SERVICE>_CONSUMER_GROUP` | the service name | Kafka consumer group and inbox name of this service (e.g. to isolate a test run on a shared broker) |
/// | `RESSUS_CONSUMER_BATCH_SIZE` | `2000` | events applied per inbox transaction at most |
/// | `RESSUS_CONSUMER_MAX_ATTEMPTS` | `5` | handler attempts before an event is dead-lettered |
/// | `RESSUS_CONSUMER_RETRY_BACKOFF_MS` | `100` | first retry wait (doubles per failure) |
/// | `RESSUS_CONSUMER_RETRY_BACKOFF_MAX_MS` | `30000` | longest retry wait |
/// | `RESSUS_CONSUMER_POLL_TIMEOUT_MS` | `500` | how long one poll waits for a first message |
/// | `RESSUS_OUTBOX_BATCH_SIZE` | `1000` | outbox rows published per relay round at most |
/// | `RESSUS_OUTBOX_POLL_MILLISECONDS` | `100` | relay sleep when the outbox is empty |
/// | `RESSUS_OUTBOX_RETENTION_DAYS` | `7` | how long sent outbox rows stay for replays |
/// | `RESSUS_SCHEDULER_BATCH_SIZE` | `100` | scheduled items claimed and fired per transaction |
/// | `RESSUS_SCHEDULER_FIRE_AT_ONCE` | `1` | `1` fires a claimed batch in one savepoint (falling back to one per item on a failure); `0` always one per item (for comparisons) |
/// | `RESSUS_PORTAL_INSECURE_COOKIES` | `0` | report publisher: `1` drops `Secure` from the portal's cookies, for local runs over plain http only (never in production) |
///
/// The HTTP endpoint's variables are in `ServiceConfiguration+HTTP.swift`.
public struct ServiceConfiguration: Sendable {
    public enum LogFormat: String, Sendable { case text, json }

    public var databaseURL: String
    public var kafkaBrokers: String
    /// `RESSUS_KAFKA_PROPERTIES`: librdkafka properties passed to every client of the service.
    public var kafkaProperties: [String: String]
    public var logLevel: String
    public var logFormat: LogFormat
    public var databasePoolSize: Int
    public var shutdownTimeout: Duration
    public var clock: ClockMode
    public var clockTopic: String
    public var inbox: InboxConsumerOptions
    /// The consumer group (and inbox name) of the service's inbox consumer.
    public var consumerGroup: String
    public var outbox: OutboxRelay.Options
    public var scheduler: SchedulerPolicy
    /// `RESSUS_PORTAL_INSECURE_COOKIES=1`: the report publisher's portal sets cookies without
    /// `Secure` (local http only; `PortalPolicy.from(_:)` reads it).
    public var portalInsecureCookies: Bool

    /// Reads the configuration of `service` from `environment`.
    public init(
        for service: ServiceDescriptor,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func required(_ name: String) throws -> String {
            guard let v = value(name) else { throw ConfigurationError(variable: name, problem: "is not set") }
            return v
        }
        func flag(_ name: String, default fallback: Bool) throws -> Bool {
            switch value(name) {
            case nil: return fallback
            case "0": return false
            case "1": return true
            case let other?: throw ConfigurationError(variable: name, problem: "must be 0 or 1, got '\(other)'")
            }
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = value(name) else { return fallback }
            guard let v = Int(text), range.contains(v) else {
                throw ConfigurationError(variable: name, problem: "must be an integer in \(range), got '\(text)'")
            }
            return v
        }

        let ownDatabase = service.environmentPrefix + "DATABASE_URL"
        databaseURL = try value(ownDatabase) ?? required("RESSUS_DATABASE_URL")
        kafkaBrokers = try required("RESSUS_KAFKA_BROKERS")
        kafkaProperties = try Self.properties(value("RESSUS_KAFKA_PROPERTIES"), variable: "RESSUS_KAFKA_PROPERTIES")
        logLevel = value("RESSUS_LOG_LEVEL") ?? "info"
        let format = value("RESSUS_LOG_FORMAT") ?? "text"
        guard let parsedFormat = LogFormat(rawValue: format) else {
            throw ConfigurationError(variable: "RESSUS_LOG_FORMAT", problem: "must be text or json, got '\(format)'")
        }
        logFormat = parsedFormat
        databasePoolSize = try integer("RESSUS_DB_POOL_SIZE", default: 4, range: 1...64)
        shutdownTimeout = .seconds(try integer("RESSUS_SHUTDOWN_TIMEOUT_SECONDS", default: 15, range: 1...600))
        clock = try ClockMode.parse(mode: value("RESSUS_CLOCK"), start: value("RESSUS_CLOCK_START"))
        clockTopic = value("RESSUS_CLOCK_TOPIC") ?? ClockTopic.name

        consumerGroup = value(service.environmentPrefix + "CONSUMER_GROUP") ?? service.name
        let inboxDefaults = InboxConsumerOptions()
        inbox = InboxConsumerOptions(
            batchSize: try integer("RESSUS_CONSUMER_BATCH_SIZE", default: inboxDefaults.batchSize, range: 1...100_000),
            maxAttempts: try integer("RESSUS_CONSUMER_MAX_ATTEMPTS", default: inboxDefaults.maxAttempts, range: 1...1_000),
            initialBackoff: .milliseconds(try integer(
                "RESSUS_CONSUMER_RETRY_BACKOFF_MS", default: Self.milliseconds(inboxDefaults.initialBackoff), range: 1...3_600_000)),
            maximumBackoff: .milliseconds(try integer(
                "RESSUS_CONSUMER_RETRY_BACKOFF_MAX_MS", default: Self.milliseconds(inboxDefaults.maximumBackoff), range: 1...3_600_000)),
            pollTimeout: .milliseconds(try integer(
                "RESSUS_CONSUMER_POLL_TIMEOUT_MS", default: Self.milliseconds(inboxDefaults.pollTimeout), range: 1...60_000)))

        var outboxOptions = OutboxRelay.Options()
        outboxOptions.batchSize = try integer("RESSUS_OUTBOX_BATCH_SIZE", default: outboxOptions.batchSize, range: 1...100_000)
        outboxOptions.idleInterval = .milliseconds(try integer(
            "RESSUS_OUTBOX_POLL_MILLISECONDS", default: Self.milliseconds(outboxOptions.idleInterval), range: 1...60_000))
        let retentionDays = Int(OutboxRetention.defaultRetention.components.seconds / 86_400)
        outboxOptions.retention = .seconds(86_400 * (try integer("RESSUS_OUTBOX_RETENTION_DAYS", default: retentionDays, range: 1...3_650)))
        outbox = outboxOptions

        var schedulerPolicy = SchedulerPolicy()
        schedulerPolicy.batchSize = try integer("RESSUS_SCHEDULER_BATCH_SIZE", default: schedulerPolicy.batchSize, range: 1...100_000)
        schedulerPolicy.fireBatchesAtOnce = try flag("RESSUS_SCHEDULER_FIRE_AT_ONCE", default: schedulerPolicy.fireBatchesAtOnce)
        scheduler = schedulerPolicy

        portalInsecureCookies = try flag("RESSUS_PORTAL_INSECURE_COOKIES", default: false)
    }

    /// Parses `name=value;name=value` (empty entries ignored); a name without `=value` is an error.
    static func properties(_ text: String?, variable: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in (text ?? "").split(separator: ";") where !entry.allSatisfy(\.isWhitespace) {
            guard let equals = entry.firstIndex(of: "="),
                  case let name = entry[..<equals].trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                throw ConfigurationError(variable: variable, problem: "must be name=value;name=value, got '\(entry)'")
            }
            result[name] = entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
