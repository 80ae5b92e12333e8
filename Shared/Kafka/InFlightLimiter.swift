/// An async counting semaphore bounding the producer's unacknowledged messages, and the producer's
/// counters (kept under the same lock so a delivery report costs one lock).
/// `acquire` suspends (without blocking a thread) until permits are free; delivery reports
/// release them. A batch may take several permits at once, so a large batch does not wake up once
/// per acknowledged message.
final class InFlightLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let wanted: Int
        /// The waiter is resumed once this many permits are free (hysteresis for batches).
        let threshold: Int
        let continuation: CheckedContinuation<Int, Never>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []  // FIFO; few entries (one per suspended sender)
        var nextWaiterID: UInt64 = 0
        var closed = false
        var peakHeld = 0
        var delivered = 0
        var failed = 0

        mutating func take(_ count: Int, capacity: Int) -> Int {
            available -= count
            peakHeld = max(peakHeld, capacity - available)
            return count
        }
    }

    let capacity: Int
    private let state: Locked<State>

    init(capacity: Int) {
        precondition(capacity > 0, "in-flight capacity must be positive")
        self.capacity = capacity
        state = Locked(State(available: capacity))
    }

    /// Takes between 1 and `wanted` permits, suspending while none are free.
    /// Returns 0 once the limiter is closed or the task is cancelled.
    func acquire(upTo wanted: Int) async -> Int {
        let immediate: Int? = state.withLock { state in
            if state.closed { return 0 }
            if state.waiters.isEmpty, state.available > 0 {
                return state.take(min(wanted, state.available), capacity: capacity)
            }
            return nil
        }
        if let immediate { return immediate }
        let threshold = min(wanted, max(1, capacity / 8))
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let enqueued = state.withLock { state in
                    // A cancellation before this point found no waiter to remove: check here.
                    if state.closed || Task.isCancelled { return false }
                    state.waiters.append(Waiter(id: id, wanted: wanted, threshold: threshold, continuation: continuation))
                    return true
                }
                if enqueued { release(0) }  // permits may have been freed between the locks
                else { continuation.resume(returning: 0) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: 0)
            release(0)  // the next waiter may fit now
        }
    }

    /// Returns `count` permits (of messages `delivered` or `failed`) and wakes the waiters that
    /// can now proceed.
    func release(_ count: Int, delivered: Int = 0, failed: Int = 0) {
        var ready: [(CheckedContinuation<Int, Never>, Int)] = []
        state.withLock { state in
            state.available += count
            state.delivered += delivered
            state.failed += failed
            while let first = state.waiters.first, state.available >= first.threshold {
                state.waiters.removeFirst()
                ready.append((first.continuation, state.take(min(first.wanted, state.available), capacity: capacity)))
            }
        }
        for (continuation, granted) in ready { continuation.resume(returning: granted) }
    }

    /// Permits held now, the most ever held, messages delivered and failed.
    var counters: (held: Int, peakHeld: Int, delivered: Int, failed: Int) {
        state.withLock { (capacity - $0.available, $0.peakHeld, $0.delivered, $0.failed) }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Wakes every waiter with 0 permits; later `acquire` calls return 0 at once.
    func close() {
        let waiters: [Waiter] = state.withLock { state in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: 0) }
    }
}
