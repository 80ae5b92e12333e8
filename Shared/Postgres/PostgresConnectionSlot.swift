import CLibPQ
import Logging

/// One place in a pool: a dedicated thread (off Swift's cooperative pool)
/// and the connection that lives on it, opened lazily and replaced when it breaks.
final class PostgresConnectionSlot: @unchecked Sendable {
    /// Opening the connection failed, so the closure never ran: safe to try again.
    struct ConnectFailed: Error { let error: PostgresError }

    let id: Int
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let worker: PostgresWorkerThread
    /// Only touched on `worker`'s thread.
    private var connection: PostgresConnection?
    /// Set by `shutdown()`; afterwards no connection is opened again. Only touched on the thread.
    private var isShutDown = false

    init(id: Int, configuration: PostgresConfiguration, logger: Logger) {
        self.id = id
        self.configuration = configuration
        self.logger = logger
        self.worker = PostgresWorkerThread(name: "ressus.postgres.connection.\(id)")
    }

    /// Runs `body` on this slot's thread with a live connection, then puts the session back to
    /// idle (rolling back anything left open) or drops the connection if it broke.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            worker.submit {
                continuation.resume(with: Result { try self.runOnThread(body) })
            }
        }
    }

    /// Closes the connection once the work already queued is done.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            worker.submit {
                self.isShutDown = true
                self.connection?.close()
                self.connection = nil
                continuation.resume()
            }
        }
    }

    deinit { worker.stop() }

    private func runOnThread<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try connected()
        defer { settle(connection) }
        return try body(connection)
    }

    private func connected() throws -> PostgresConnection {
        guard !isShutDown else { throw PostgresError(kind: .poolClosed, message: "the pool is closed") }
        if let connection {
            connection.absorbPendingInput()
            if connection.isConnected { return connection }
            logger.warning("PostgreSQL connection broke; reconnecting", metadata: ["slot": "\(id)"])
            connection.close()
            self.connection = nil
        }
        do {
            let fresh = try PostgresConnection(configuration: configuration)
            connection = fresh
            return fresh
        } catch let error as PostgresError where error.isRetryable {
            throw ConnectFailed(error: error) // refused, or the server is starting or shutting down
        }
    }

    private func settle(_ connection: PostgresConnection) {
        if connection.isConnected && connection.transactionStatus != PQTRANS_IDLE {
            connection.rollbackQuietly()
        }
        if !connection.isConnected || connection.transactionStatus != PQTRANS_IDLE {
            connection.close()
            self.connection = nil
        }
    }
}
