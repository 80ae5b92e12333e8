import CLibPQ
import Foundation

/// A named SQL statement that a connection prepares once (`PQprepare`) and then runs by name
/// (`PQexecPrepared`). Declare them as static constants and pass them where SQL text goes.
public struct PostgresStatement: Sendable, Hashable {
    public let sql: String
    public init(_ sql: String) { self.sql = sql }
}

/// One libpq connection. Every call blocks the calling thread until the server answers, so use it
/// from a thread of its own: `PostgresPool` hands connections to closures running on each
/// connection's dedicated queue. Not thread-safe; never share one between threads at once.
///
/// Values only ever travel as bind parameters (`$1`, `$2`, ...); SQL text is never built from them.
public final class PostgresConnection {
    public let configuration: PostgresConfiguration
    private var handle: OpaquePointer?
    /// Prepared statement names by SQL text and parameter types.
    private var preparedNames: [String: String] = [:]
    private var preparedCount = 0

    /// Connects (`PQconnectdbParams`) and sets the session's `search_path` to the configured schema.
    public init(configuration: PostgresConfiguration) throws {
        self.configuration = configuration
        let pairs = configuration.connectionKeywords
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer { (keywords + values).forEach { free($0) } }
        let connection = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordPointers in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
                PQconnectdbParams(keywordPointers.baseAddress, valuePointers.baseAddress, 0)
            }
        }
        guard let connection else { throw PostgresError(kind: .connectionFailed, message: "libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PostgresError.fromConnection(connection, kind: .connectionFailed)
            PQfinish(connection)
            throw error
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil) // NOTICEs (e.g. "already exists, skipping") are not errors
        handle = connection
        if let schema = configuration.schema {
            try query("SELECT set_config('search_path', $1, false)", [try quoteIdentifier(schema)])
        }
    }

    deinit { close() }

    /// Closes the connection (`PQfinish`); later calls fail with `connectionLost`.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        preparedNames = [:]
    }

    /// False once the connection is closed or libpq has seen it break.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Runs one statement with bind parameters (`PQexecParams`) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresRows {
        let handle = try requireHandle()
        let bound = BoundParameters(parameters)
        let result = bound.withPointers { types, values, lengths, formats in
            PQexecParams(handle, sql, Int32(bound.count), types, values, lengths, formats, 0)
        }
        return try PostgresRows(result: check(result, handle))
    }

    /// Runs one statement with bind parameters and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Int {
        try query(sql, parameters).affectedRows
    }

    /// Runs a prepared statement, preparing it on this connection the first time.
    @discardableResult
    public func query(_ statement: PostgresStatement, _ parameters: [any PostgresEncodable] = []) throws -> PostgresRows {
        let handle = try requireHandle()
        let bound = BoundParameters(parameters)
        let key = statement.sql + "\u{0}" + bound.types.map(String.init).joined(separator: ",")
        let name: String
        if let cached = preparedNames[key] {
            name = cached
        } else {
            preparedCount += 1
            name = "ressus_\(preparedCount)"
            let prepared = bound.types.withUnsafeBufferPointer { types in
                PQprepare(handle, name, statement.sql, Int32(bound.count), types.baseAddress)
            }
            _ = PostgresRows(result: try check(prepared, handle))
            preparedNames[key] = name
        }
        let result = bound.withPointers { _, values, lengths, formats in
            PQexecPrepared(handle, name, Int32(bound.count), values, lengths, formats, 0)
        }
        do {
            return try PostgresRows(result: check(result, handle))
        } catch let error as PostgresError where error.sqlState == "26000" { // prepared statement gone (DEALLOCATE)
            preparedNames[key] = nil
            throw error
        }
    }

    /// Runs a prepared statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ statement: PostgresStatement, _ parameters: [any PostgresEncodable] = []) throws -> Int {
        try query(statement, parameters).affectedRows
    }

    /// Runs fixed SQL text that may hold several statements (`PQexec`), such as a migration.
    /// It takes no values: never build its text from data.
    public func executeScript(_ sql: String) throws {
        let handle = try requireHandle()
        _ = PostgresRows(result: try check(PQexec(handle, sql), handle))
    }

    /// `name` quoted as an SQL identifier (`PQescapeIdentifier`), for schema, table and column
    /// names, which cannot be bind parameters.
    public func quoteIdentifier(_ name: String) throws -> String {
        let handle = try requireHandle()
        var name = name
        let quoted = name.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { PQescapeIdentifier(handle, $0.baseAddress, $0.count) }
        }
        guard let quoted else { throw PostgresError.fromConnection(handle, kind: .misuse) }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Where the session stands: idle, in a transaction, or in a failed transaction.
    var transactionStatus: PGTransactionStatusType {
        guard let handle else { return PQTRANS_UNKNOWN }
        return PQtransactionStatus(handle)
    }

    /// Reads whatever the server sent while the connection sat idle, so that `isConnected`
    /// reflects a backend that was terminated or a server that shut down: the server sends a FATAL
    /// message and closes the socket, and libpq only marks the connection bad once it reads the
    /// end of the stream. Never blocks.
    func absorbPendingInput() {
        guard let handle else { return }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        for _ in 0..<8 {
            guard descriptor.fd >= 0, poll(&descriptor, 1, 0) > 0 else { return }
            if PQconsumeInput(handle) == 0 { return } // end of stream or error: status is now bad
            while let notice = PQnotifies(handle) { PQfreemem(notice) }
        }
    }

    func requireHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connectionLost, message: "the connection is closed") }
        return handle
    }

    /// The result if it succeeded; otherwise the mapped error (the result is freed).
    func check(_ result: OpaquePointer?, _ handle: OpaquePointer) throws -> OpaquePointer {
        guard let result else { throw PostgresError.fromConnection(handle) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        case PGRES_COPY_IN:
            PQclear(result)
            PQputCopyEnd(handle, "COPY FROM STDIN must go through copy(into:)")
            while let pending = PQgetResult(handle) { PQclear(pending) }
            throw PostgresError(kind: .misuse, message: "COPY FROM STDIN must go through copy(into:columns:)")
        case PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            close()
            throw PostgresError(kind: .misuse, message: "COPY TO STDOUT is not supported; the connection was closed")
        default:
            let error = PostgresError(result: result, connection: handle)
            PQclear(result)
            throw error
        }
    }
}
