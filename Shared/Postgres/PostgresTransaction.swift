import CLibPQ

/// Transaction isolation levels.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws (the error is
    /// rethrown). If a statement failed inside and `body` swallowed the error, the transaction is
    /// rolled back and this throws. Transactions do not nest; use `withSavepoint` inside.
    public func withTransaction<T>(
        isolation: PostgresIsolation? = nil, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        guard transactionStatus == PQTRANS_IDLE else {
            throw PostgresError(kind: .misuse, message: "a transaction is already open on this connection; use withSavepoint")
        }
        try executeScript(isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        guard transactionStatus == PQTRANS_INTRANS else {
            let aborted = transactionStatus == PQTRANS_INERROR
            rollbackQuietly()
            throw PostgresError(
                kind: aborted ? .misuse : .connectionLost,
                message: aborted
                    ? "a statement failed inside the transaction and the error was caught; the transaction was rolled back"
                    : "the transaction ended before COMMIT (connection lost or COMMIT/ROLLBACK issued inside)"
            )
        }
        let tag = try query("COMMIT").commandTag
        guard tag == "COMMIT" else {
            throw PostgresError(kind: .server, message: "COMMIT answered \(tag); the transaction was rolled back")
        }
        return value
    }

    /// Runs `body` inside a savepoint of the open transaction: on a thrown error only its work is
    /// undone (ROLLBACK TO SAVEPOINT) and the error is rethrown; the transaction goes on.
    public func withSavepoint<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        guard transactionStatus == PQTRANS_INTRANS else {
            throw PostgresError(kind: .misuse, message: "withSavepoint needs an open, healthy transaction")
        }
        let name = "ressus_savepoint"
        try executeScript("SAVEPOINT \(name)")
        do {
            let value = try body(self)
            try executeScript("RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            if isConnected { try? executeScript("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)") }
            throw error
        }
    }

    /// Runs `body` so that its work commits or is undone as a whole: in a savepoint of the open
    /// transaction, or in a transaction of its own when none is open.
    public func atomically<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        transactionStatus == PQTRANS_IDLE ? try withTransaction(body) : try withSavepoint(body)
    }

    /// Runs `body` with the server setting `name` at `value` in the open transaction, then puts back
    /// the value it had (an error aborts the transaction or savepoint, which undoes the setting too).
    /// For a setting one statement needs, e.g. a planner switch, that must not reach the rest of
    /// the transaction.
    public func withSetting<T>(_ name: String, _ value: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        let previous = try query("SELECT coalesce(current_setting($1, true), '')", [name])[0].decode(String.self, at: 0)
        _ = try query("SELECT set_config($1, $2, true)", [name, value])
        let result = try body(self)
        _ = try query("SELECT set_config($1, $2, true)", [name, previous])
        return result
    }

    func rollbackQuietly() {
        guard isConnected, transactionStatus != PQTRANS_IDLE else { return }
        do { try executeScript("ROLLBACK") } catch { close() }
    }
}
