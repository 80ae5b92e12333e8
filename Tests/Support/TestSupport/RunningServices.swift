import Logging
import ServiceLifecycle

/// Runs services in a `ServiceGroup` (no signal handling) until `stop()` triggers a graceful
/// shutdown.
public struct RunningServices {
    public let group: ServiceGroup
    public let task: Task<Void, any Error>

    public init(_ services: [any Service], logger: Logger = Logger(label: "ressus.tests")) {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [], logger: logger))
        self.group = group
        task = Task { try await group.run() }
    }

    /// Triggers graceful shutdown and waits for every service to return.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
