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

/// Whether the service has finished starting (its endpoint listens and its components run) and
/// whether it is shutting down.
public final class ServiceReadiness: @unchecked Sendable {
    private let lock = NSLock()
    private var started = false
    private var stoppingSince: ContinuousClock.Instant?
    private let listening: AsyncStream<Void>
    private let listeningContinuation: AsyncStream<Void>.Continuation

    public init() {
        (listening, listeningContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// Called once the HTTP endpoint accepts connections.
    public func markListening() { listeningContinuation.finish() }
    /// Returns once `markListening()` was called (or the task is cancelled). One waiter only.
    func waitUntilListening() async { for await _ in listening {} }

    public func markStarted() { lock.withLock { started = true } }
    public func markStopping() { lock.withLock { stoppingSince = stoppingSince ?? .now } }
    /// How long ago the graceful shutdown reached the components (nil if it did not).
    public var stoppingFor: Duration? { lock.withLock { stoppingSince.map { .now - $0 } } }
    /// Started and not shutting down.
    public var isAccepting: Bool { lock.withLock { started && stoppingSince == nil } }
}

/// A check run at most once per `cacheDuration`, never twice at the same time, and waited for at
/// most `timeout` (a slow check keeps running in the background; its result is used when it ends,
/// and until then callers are told at once that it has not answered).
actor CachedCheck {
    private let timeout: Duration
    private let cacheDuration: Duration
    private let body: @Sendable () async -> CheckStatus
    private var last: (at: ContinuousClock.Instant, status: CheckStatus)?
    private var running: (since: ContinuousClock.Instant, task: Task<CheckStatus, Never>)?

    init(timeout: Duration, cacheDuration: Duration, body: @escaping @Sendable () async -> CheckStatus) {
        self.timeout = timeout
        self.cacheDuration = cacheDuration
        self.body = body
    }

    func status() async -> CheckStatus {
        if let last, ContinuousClock.now - last.at < cacheDuration { return last.status }
        let task: Task<CheckStatus, Never>
        if let running {
            // Still no answer from a check that already overran: say so without waiting again.
            let elapsed = ContinuousClock.now - running.since
            if elapsed >= timeout { return .failed("no answer for \(elapsed.components.seconds) s") }
            task = running.task
        } else {
            task = Task { [body] in await body() }
            running = (ContinuousClock.now, task)
            Task { await self.finished(task) }
        }
        // Not a task group: that would wait for the slow check before returning.
        let timeout = self.timeout
        return await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            Task { answer.resume(await task.value) }
            Task {
                try? await Task.sleep(for: timeout)
                answer.resume(.failed("timeout after \(timeout)"))
            }
        }
    }

    private func finished(_ task: Task<CheckStatus, Never>) async {
        let status = await task.value
        last = (ContinuousClock.now, status)
        running = nil
    }
}

/// Resumes a continuation with the first of several answers.
private final class FirstAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<CheckStatus, Never>?

    init(_ continuation: CheckedContinuation<CheckStatus, Never>) { self.continuation = continuation }

    func resume(_ status: CheckStatus) {
        lock.withLock { () -> CheckedContinuation<CheckStatus, Never>? in
            defer { continuation = nil }
            return continuation
        }?.resume(returning: status)
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
