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

    @Test func resultIsCachedForTheCacheDuration() async {
        let calls = Counter()
        let check = CachedCheck(timeout: .seconds(1), cacheDuration: .milliseconds(300)) {
            calls.increment()
            return .ok
        }
        #expect(await check.status() == .ok)
        #expect(await check.status() == .ok)
        #expect(calls.count == 1)
        try? await Task.sleep(for: .milliseconds(400))
        #expect(await check.status() == .ok)
        #expect(calls.count == 2)
    }

    @Test func aSlowCheckTimesOutThenAnswersAtOnceUntilItEnds() async {
        let calls = Counter()
        let check = CachedCheck(timeout: .milliseconds(500), cacheDuration: .seconds(10)) {
            calls.increment()
            try? await Task.sleep(for: .milliseconds(1500))
            return .failed("database down")
        }
        let clock = ContinuousClock()
        var start = clock.now
        #expect(await check.status() == .failed("timeout after 0.5 seconds"))
        #expect(clock.now - start < .milliseconds(1400), "waited for the slow check")

        start = clock.now
        let second = await check.status()
        #expect(second.description.hasPrefix("no answer for"))
        #expect(clock.now - start < .milliseconds(450), "waited for the timeout again")

        try? await Task.sleep(for: .milliseconds(1500))
        #expect(await check.status() == .failed("database down"))
        #expect(calls.count == 1)
    }
}
