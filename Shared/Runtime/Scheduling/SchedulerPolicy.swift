import Foundation

/// The scheduler's policy values, in one place.
public struct SchedulerPolicy: Sendable {
    /// Items claimed (and fired) per transaction.
    public var batchSize: Int
    /// How often the worker looks for due items on its own (wall clock; retries under any clock).
    public var pollInterval: Duration
    /// How often a worker on a ``SimulatedClock`` checks whether the clock moved.
    public var clockCheckInterval: Duration
    /// Attempts (handler runs that threw) after which an item is marked `failed` and left alone.
    public var maxAttempts: Int
    /// Wait before the first retry; doubled on each further failure, up to `maximumBackoff`.
    /// Measured on the database's wall clock, not the business clock: a failure is an operational
    /// problem, and retrying must not wait for the simulated clock to move.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// Fire a claimed batch inside one savepoint, with one outbox INSERT and one "done" UPDATE for
    /// the whole batch, falling back to one savepoint per item when anything fails (the inbox's
    /// `applyBatchesAtOnce` for scheduled work). Off: always one savepoint per item.
    public var fireBatchesAtOnce: Bool

    public init(
        batchSize: Int = 100, pollInterval: Duration = .seconds(1), clockCheckInterval: Duration = .milliseconds(20),
        maxAttempts: Int = 10, initialBackoff: Duration = .seconds(1), maximumBackoff: Duration = .seconds(300),
        fireBatchesAtOnce: Bool = true
    ) {
        precondition(batchSize > 0 && maxAttempts > 0 && initialBackoff > .zero, "invalid scheduler policy")
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.clockCheckInterval = clockCheckInterval
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.fireBatchesAtOnce = fireBatchesAtOnce
    }

    /// The wait before retrying after the `attempts`-th failure (1-based).
    func backoff(afterAttempts attempts: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(1, attempts) where delay < maximumBackoff { delay *= 2 }
        return min(delay, maximumBackoff)
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
