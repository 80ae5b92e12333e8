import CLibPQ

/// Every failure the wrapper reports: connection problems, server errors (with SQLSTATE), and
/// decoding problems.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The connection string could not be parsed.
        case invalidConfiguration
        /// A connection could not be opened (server down, refused, authentication failed).
        case connectionFailed
        /// The connection broke while in use; whether the last command took effect is unknown.
        case connectionLost
        /// The server reported an error; see `sqlState`.
        case server
        /// The named or numbered column is not in the result.
        case columnMissing
        /// The column is NULL but a non-optional type was asked for.
        case unexpectedNull
        /// The column's PostgreSQL type cannot be decoded as the Swift type asked for.
        case typeMismatch
        /// The column's text could not be read as the Swift type asked for (or is out of range).
        case invalidValue
        /// The API was used in a way it does not allow (e.g. nested transactions).
        case misuse
        /// The pool was closed.
        case poolClosed
    }

    public var kind: Kind
    /// The five-character SQLSTATE (e.g. "23505" for a unique violation), when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// True when running the same work again later may succeed: the connection failed or broke
    /// (class 08, server shutting down 57P01-57P03), or a serialization failure or deadlock
    /// (40001, 40P01). A failure during COMMIT leaves its outcome unknown, so retried writes
    /// should be idempotent.
    public var isRetryable: Bool {
        switch kind {
        case .connectionFailed, .connectionLost: return true
        case .server:
            guard let sqlState else { return false }
            return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "40001", "40P01"].contains(sqlState)
        default: return false
        }
    }

    /// SQLSTATE 23505.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String {
        var text = "PostgresError(\(kind)"
        if let sqlState { text += " \(sqlState)" }
        text += "): \(message)"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        return text
    }
}

extension PostgresError {
    /// Reads the diagnostic fields of a failed result.
    init(result: OpaquePointer, connection: OpaquePointer) {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines
        let broken = PQstatus(connection) != CONNECTION_OK
        self.init(
            kind: sqlState == nil && broken ? .connectionLost : .server,
            sqlState: sqlState, message: message, detail: field("D"), hint: field("H"),
            constraint: field("n"), table: field("t"), column: field("c")
        )
    }

    /// The connection's last error, for calls that returned no result.
    static func fromConnection(_ connection: OpaquePointer, kind: Kind = .connectionLost) -> PostgresError {
        let message = String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines
        return PostgresError(kind: kind, message: message.isEmpty ? "unknown libpq error" : message)
    }
}
