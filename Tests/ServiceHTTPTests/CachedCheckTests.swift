import Foundation
@testable import ServiceHTTP
import Testing

/// Health checks are bounded in time, cached, and never run twice at once.
@Suite struct CachedCheckTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    /// Opens once; waiters before that suspend (no wall-clock bounds in these tests: the
    /// machine may be loaded, so they check what happened, not how fast).
    actor Gate {
        private var isOpen = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func open() {
            isOpen = true
            waiters.forEach { $0.resume() }
            waiters = []
        }
    }

    @Test func resultIsCachedForTheCacheDuration() async {
        let calls = Counter()
        let longCache = CachedCheck(timeout: .seconds(5), cacheDuration: .seconds(60)) {
            calls.increment()
            return .ok
        }
        #expect(await longCache.status() == .ok)
        #expect(await longCache.status() == .ok)
        #expect(calls.count == 1, "a second call within the cache duration ran the check again")

        let shortCalls = Counter()
        let shortCache = CachedCheck(timeout: .seconds(5), cacheDuration: .milliseconds(50)) {
            shortCalls.increment()
            return .ok
        }
        #expect(await shortCache.status() == .ok)
        try? await Task.sleep(for: .milliseconds(200))
        #expect(await shortCache.status() == .ok)
        #expect(shortCalls.count == 2, "an expired result was served from the cache")
    }

    @Test func aSlowCheckTimesOutThenAnswersAtOnceUntilItEnds() async throws {
        let calls = Counter()
        let gate = Gate()
        let check = CachedCheck(timeout: .milliseconds(200), cacheDuration: .seconds(60)) {
            calls.increment()
            await gate.wait()
            return .failed("database down")
        }
        // The check never ends until the gate opens, so answering at all means it was not awaited.
        #expect(await check.status() == .failed("timeout after 0.2 seconds"))
        let second = await check.status()
        #expect(second.description.hasPrefix("no answer for"), "got \(second)")
        #expect(calls.count == 1, "a second check started while the first was still running")

        await gate.open()
        var final = await check.status()
        for _ in 0..<100 where final != .failed("database down") {
            try await Task.sleep(for: .milliseconds(50))
            final = await check.status()
        }
        #expect(final == .failed("database down"))
        #expect(calls.count == 1)
    }
}
