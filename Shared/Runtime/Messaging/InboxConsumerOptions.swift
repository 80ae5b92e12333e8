/// Policy values of an ``InboxConsumer``, in one place.
public struct InboxConsumerOptions: Sendable {
    /// Messages polled and applied in one transaction at most. A poll returns only what the
    /// client has already fetched, so this bounds batches while a consumer is behind; the fixed
    /// cost of a batch (its transaction, the set-based statements' per-call overhead) is then
    /// spread over more events. 2,000 against 500 made the 1,100,000-atendimento load replay
    /// 1.085 times faster end to end (BENCHMARKS.md, "Consumer batch size").
    public var batchSize: Int
    /// Handler attempts before an event is dead-lettered.
    public var maxAttempts: Int
    /// Wait after the first failure (handler or transaction); doubles on each further failure.
    public var initialBackoff: Duration
    /// Longest wait between attempts.
    public var maximumBackoff: Duration
    /// How long one poll waits for a first message.
    public var pollTimeout: Duration
    /// Whether a batch is first applied all at once (one inbox INSERT and one savepoint for the
    /// whole batch, falling back to the per-event path only if that fails). False applies every
    /// event alone (~4 round trips each): for measurements and diagnosis.
    public var applyBatchesAtOnce = true

    public init(batchSize: Int = 2_000, maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(100),
                maximumBackoff: Duration = .seconds(30), pollTimeout: Duration = .milliseconds(500)) {
        precondition(batchSize > 0 && maxAttempts > 0, "batch size and attempts must be positive")
        self.batchSize = batchSize
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.pollTimeout = pollTimeout
    }

    /// The wait after failure number `failures` (1-based): initial × 2^(failures-1), capped.
    public func backoff(afterFailure failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let delay = initialBackoff * (1 << exponent)
        return min(delay, maximumBackoff)
    }
}

/// Counts of what an ``InboxConsumer`` did since it started.
public struct InboxConsumerStatistics: Sendable, Equatable {
    /// Events the handler applied.
    public var applied = 0
    /// Redelivered events the inbox recognised and skipped.
    public var duplicates = 0
    /// Events of types the handler does not accept (recorded, not applied).
    public var skipped = 0
    /// Handler failures (every attempt).
    public var failedAttempts = 0
    /// Messages written to a dead-letter topic.
    public var deadLettered = 0
    /// Batch transactions that failed and were retried.
    public var transactionFailures = 0
    /// Times the broker was found to have lost its data (the consumer then started over).
    public var brokerRecoveries = 0
}
