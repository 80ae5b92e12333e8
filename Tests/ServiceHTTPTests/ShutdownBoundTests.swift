import Foundation
import Logging
import ServiceLifecycle
@testable import ServiceHTTP
import Testing

/// The host's group bounds the graceful shutdown (`RESSUS_SHUTDOWN_TIMEOUT_SECONDS`): a component
/// that ignores it is cancelled once the bound has passed.
@Suite struct ShutdownBoundTests {
    /// Ignores graceful shutdown; stops only when cancelled.
    struct Stubborn: Service {
        let cancelled = Flag()
        func run() async throws {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            cancelled.set()
        }
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    @Test func aComponentIgnoringShutdownIsCancelledAfterTheBound() async throws {
        var logger = Logger(label: "shutdown-bound-test")
        logger.logLevel = .critical
        let stubborn = Stubborn()
        let bound: Duration = .milliseconds(600)
        let group = ServiceGroup(configuration: ServiceHost.groupConfiguration(
            services: [stubborn], shutdownTimeout: bound, logger: logger, handlesSignals: false))
        let clock = ContinuousClock()
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(100))
        let start = clock.now
        await group.triggerGracefulShutdown()
        let outcome = await running.result
        let elapsed = clock.now - start
        #expect(stubborn.cancelled.isSet)
        // The group itself ends normally (the host then logs the overrun and `service stopped`).
        #expect((try? outcome.get()) != nil, "\(outcome)")
        #expect(elapsed >= bound, "stopped after \(elapsed), before the bound")
        #expect(elapsed < bound + ServiceHost.cancellationTimeout, "stopped after \(elapsed)")
    }
}
