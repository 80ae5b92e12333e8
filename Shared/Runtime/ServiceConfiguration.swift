import Foundation

/// Identifies one of the five services: its name (used in logs, consumer groups, client ids) and the
/// PostgreSQL schema it owns.
public struct ServiceDescriptor: Sendable, Hashable {
    /// Short kebab-case name, e.g. "debt-calculator".
    public let name: String
    /// The PostgreSQL schema this service owns; no other service reads it.
    public let schema: String

    public init(name: String, schema: String) {
        self.name = name
        self.schema = schema
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
/// | `RESSUS_LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
/// | `RESSUS_LOG_FORMAT` | `text` | `text` or `json` (one JSON object per line) |
/// | `RESSUS_DB_POOL_SIZE` | `4` | PostgreSQL connections per service instance |
/// | `RESSUS_SHUTDOWN_TIMEOUT_SECONDS` | `15` | bound on graceful shutdown before cancellation |
public struct ServiceConfiguration: Sendable {
    public enum LogFormat: String, Sendable { case text, json }

    public var databaseURL: String
    public var kafkaBrokers: String
    public var logLevel: String
    public var logFormat: LogFormat
    public var databasePoolSize: Int
    public var shutdownTimeout: Duration

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
        logLevel = value("RESSUS_LOG_LEVEL") ?? "info"
        let format = value("RESSUS_LOG_FORMAT") ?? "text"
        guard let parsedFormat = LogFormat(rawValue: format) else {
            throw ConfigurationError(variable: "RESSUS_LOG_FORMAT", problem: "must be text or json, got '\(format)'")
        }
        logFormat = parsedFormat
        databasePoolSize = try integer("RESSUS_DB_POOL_SIZE", default: 4, range: 1...64)
        shutdownTimeout = .seconds(try integer("RESSUS_SHUTDOWN_TIMEOUT_SECONDS", default: 15, range: 1...600))
    }
}
