import Foundation
import Logging
import Postgres

/// Wakes a ``SchedulerWorker`` as soon as another process (the operator CLI) schedules work due at
/// once and calls ``ScheduledWork/wakeWorkers(on:)``, instead of at the worker's next poll.
/// A connection of its own `LISTEN`s on the schema's channel, on a thread of its own (the wait
/// blocks); a lost connection is opened again with backoff, and the worker's poll covers the gap.
final class SchedulerWakeListener: Sendable {
    /// How long one wait lasts before the thread checks whether it was stopped.
    static let waitSlice: Duration = .milliseconds(250)
    /// Wait before opening the connection again after it failed.
    static let reconnectDelay: TimeInterval = 1

    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let onWake: @Sendable () -> Void
    private let stopped = LockedFlag()

    init(configuration: PostgresConfiguration, logger: Logger, onWake: @escaping @Sendable () -> Void) {
        self.configuration = configuration
        self.logger = logger
        self.onWake = onWake
    }

    /// Starts listening on a thread of its own.
    func start() {
        let thread = Thread { [self] in listen() }
        thread.name = "ressus.scheduler.wake"
        thread.start()
    }

    /// Asks the thread to stop; it closes its connection and ends within one wait slice.
    func stop() { stopped.set() }

    private func listen() {
        var connection: PostgresConnection?
        var failing = false
        while !stopped.isSet {
            do {
                if connection == nil {
                    let opened = try PostgresConnection(configuration: configuration)
                    try opened.listen(try ScheduledWork.wakeChannel(on: opened))
                    connection = opened
                    if failing { logger.info("scheduler wake-up listener connected again") }
                    failing = false
                    onWake()  // anything scheduled while it was not listening
                }
                if let connection, !(try connection.waitForNotifications(timeout: Self.waitSlice)).isEmpty {
                    onWake()
                }
            } catch {
                connection = nil
                if !failing {
                    logger.warning("scheduler wake-up listener lost its connection; polling only until it is back",
                                   metadata: ["error": "\(error)"])
                }
                failing = true
                Thread.sleep(forTimeInterval: Self.reconnectDelay)
            }
        }
        connection?.close()
    }
}
