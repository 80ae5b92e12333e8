import Foundation
import Kafka
import Postgres

/// The result of one dependency check, as shown in the health body (`"ok"` or what went wrong).
public enum CheckStatus: Sendable, Equatable, CustomStringConvertible {
    case ok
    case failed(String)

    public var isOK: Bool { self == .ok }
    public var description: String {
        switch self {
        case .ok: "ok"
        case .failed(let reason): reason
        }
    }
}

/// `GET /health/ready`: the service is started, its database answers `SELECT 1` and its broker
/// answers a metadata request, each within `timeout`; results are cached for `cacheDuration`.
public final class HealthChecks: Sendable {
    /// A check's time limit; probes are polled often and must answer fast.
    public static let defaultTimeout: Duration = .seconds(1)
    /// How long a check result is reused, so frequent probes do not load the database.
    public static let defaultCacheDuration: Duration = .seconds(1)

    public let readiness: ServiceReadiness
    private let database: CachedCheck
    private let broker: CachedCheck

    public init(
        readiness: ServiceReadiness, database: PostgresPool, broker: KafkaAdmin,
        timeout: Duration = defaultTimeout, cacheDuration: Duration = defaultCacheDuration
    ) {
        self.readiness = readiness
        self.database = CachedCheck(timeout: timeout, cacheDuration: cacheDuration) {
            do {
                _ = try await database.withConnection { try $0.query("SELECT 1") }
                return .ok
            } catch {
                return .failed("\(error)")
            }
        }
        self.broker = CachedCheck(timeout: timeout, cacheDuration: cacheDuration) {
            do {
                _ = try await broker.listTopics(timeout: timeout)
                return .ok
            } catch {
                return .failed("\(error)")
            }
        }
    }

    /// The readiness report: `status` is `ok` only when started and every check is `ok`.
    public func report() async -> HealthReport {
        async let database = database.status()
        async let broker = broker.status()
        return HealthReport(accepting: readiness.isAccepting, checks: ["database": await database, "broker": await broker])
    }
}

/// The body of `/health` and `/health/ready`:
/// `{"status":"ok|degraded","checks":{"database":"ok","broker":"ok"}}`.
public struct HealthReport: Sendable {
    /// False while starting or shutting down.
    public let accepting: Bool
    public let checks: [String: CheckStatus]

    public var isReady: Bool { accepting && checks.values.allSatisfy(\.isOK) }

    public var json: Data {
        var object: [String: Any] = [
            "status": isReady ? "ok" : "degraded",
            "checks": checks.mapValues(\.description),
        ]
        if !accepting { object["service"] = "starting or stopping" }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
