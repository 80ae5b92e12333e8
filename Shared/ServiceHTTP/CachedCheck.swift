import Foundation

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
