import Foundation

/// Mutable state behind a lock. `@unchecked Sendable` because every access to `state` goes through
/// `withLock`, which holds the NSLock.
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) { self.state = state }

    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}

/// Runs blocking librdkafka calls on a serial Dispatch queue (its own overcommitting thread, not
/// Swift's cooperative pool) and bridges the result back to async code.
final class BlockingWorker: Sendable {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Lets `close()` wait until no task is using a librdkafka handle, and turns away new users
/// afterwards, so the handle is never used after `rd_kafka_destroy`.
/// `@unchecked Sendable`: `users` and `closing` are only accessed with `condition` locked.
final class UsageGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var users = 0
    private var closing = false

    /// Registers a user; false once closing.
    func enter() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if closing { return false }
        users += 1
        return true
    }

    func leave() {
        condition.lock()
        users -= 1
        if users == 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Turns away new users and blocks until the current ones have left. Returns false if
    /// another caller closed the gate first.
    func closeAndWait() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if closing { return false }
        closing = true
        while users > 0 { condition.wait() }
        return true
    }

    /// Runs `body` as a user, or returns nil once closing.
    func whileOpen<T>(_ body: () throws -> T) rethrows -> T? {
        guard enter() else { return nil }
        defer { leave() }
        return try body()
    }
}
