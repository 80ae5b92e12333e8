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
