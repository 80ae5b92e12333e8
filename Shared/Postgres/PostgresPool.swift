import Logging

/// A bounded pool of connections for concurrent Swift tasks.
///
/// libpq blocks, so each connection lives on a thread of its own and the closures you pass run
/// **there, synchronously**, never on Swift's cooperative thread pool; the calling task just
/// awaits the result. Keep closures to database work (no `await` inside, by construction).
///
/// When all connections are busy, callers wait in line. A connection found broken (e.g. after a
/// server restart) is replaced; opening one is retried with exponential backoff for up to
/// `Options.reconnectTimeout`. Work that fails because the connection broke mid-way is not
/// retried for you: it surfaces as a `PostgresError` whose `isRetryable` is true.
public final class PostgresPool: Sendable {
    public struct Options: Sendable {
        /// Connections at most.
        public var size: Int
        /// How long one call keeps trying to open a connection before giving up.
        public var reconnectTimeout: Duration
        public var initialBackoff: Duration
        public var maximumBackoff: Duration

        public init(
            size: Int = 4, reconnectTimeout: Duration = .seconds(30),
            initialBackoff: Duration = .milliseconds(50), maximumBackoff: Duration = .seconds(2)
        ) {
            self.size = max(1, size)
            self.reconnectTimeout = reconnectTimeout
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    public let configuration: PostgresConfiguration
    public let options: Options
    private let logger: Logger
    private let slots: PostgresPoolSlots

    /// Connections are opened on first use, not here.
    public init(configuration: PostgresConfiguration, options: Options = Options(), logger: Logger = Logger(label: "ressus.postgres")) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        slots = PostgresPoolSlots((0..<options.size).map {
            PostgresConnectionSlot(id: $0, configuration: configuration, logger: logger)
        })
    }

    /// Runs `body` with a connection, on that connection's thread. Whatever transaction `body`
    /// leaves open is rolled back.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let slot = try await slots.acquire()
        do {
            let value = try await run(body, on: slot)
            await slots.release(slot)
            return value
        } catch {
            await slots.release(slot)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection: COMMIT on return, ROLLBACK on throw.
    public func withTransaction<T: Sendable>(
        isolation: PostgresIsolation? = nil, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { try $0.withTransaction(isolation: isolation, body) }
    }

    /// Closes every connection once its current work ends; waiting and later calls fail with
    /// `poolClosed`.
    public func close() async {
        for slot in await slots.close() { await slot.shutdown() }
    }

    private func run<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T, on slot: PostgresConnectionSlot
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + options.reconnectTimeout
        var delay = options.initialBackoff
        var attempt = 1
        while true {
            do {
                let value = try await slot.run(body)
                if attempt > 1 { logger.info("PostgreSQL connection restored", metadata: ["attempts": "\(attempt)"]) }
                return value
            } catch let failure as PostgresConnectionSlot.ConnectFailed {
                guard clock.now + delay < deadline else { throw failure.error }
                logger.warning(
                    "cannot connect to PostgreSQL; retrying",
                    metadata: ["attempt": "\(attempt)", "delay": "\(delay)", "error": "\(failure.error.message)"]
                )
                try await Task.sleep(for: delay)
                delay = min(delay * 2, options.maximumBackoff)
                attempt += 1
            }
        }
    }
}

/// Which slots are free, and who waits for one (first come, first served).
actor PostgresPoolSlots {
    private let all: [PostgresConnectionSlot]
    private var idle: [PostgresConnectionSlot]
    private var waiters: [(id: Int, continuation: CheckedContinuation<PostgresConnectionSlot, Error>)] = []
    private var nextWaiterID = 0
    private var closed = false

    init(_ slots: [PostgresConnectionSlot]) {
        all = slots
        idle = slots.reversed()
    }

    func acquire() async throws -> PostgresConnectionSlot {
        guard !closed else { throw PostgresError(kind: .poolClosed, message: "the pool is closed") }
        if let slot = idle.popLast() { return slot }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    func release(_ slot: PostgresConnectionSlot) {
        if !closed, !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: slot)
        } else {
            idle.append(slot)
        }
    }

    /// Marks the pool closed, fails the waiters, and returns every slot for shutdown.
    func close() -> [PostgresConnectionSlot] {
        closed = true
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the pool is closed"))
        }
        waiters = []
        return all
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
