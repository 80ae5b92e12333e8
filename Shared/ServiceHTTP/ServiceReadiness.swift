import Foundation

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
