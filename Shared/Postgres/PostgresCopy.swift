import CLibPQ

/// Rows streamed into one `COPY ... FROM STDIN` (text format). Rows are buffered and handed to
/// libpq (`PQputCopyData`) every `batchSize` rows, or sooner once 16 KiB are pending, so the server
/// parses one chunk while the next is being encoded. Valid only inside the `copy` closure.
public final class PostgresCopyWriter {
    private let handle: OpaquePointer
    private let columnCount: Int
    private let batchSize: Int
    private static let flushBytes = 16 * 1024
    private var encoder = CopyTextEncoder(capacity: flushBytes + 4096)
    private var rowsInBuffer = 0
    /// Rows appended so far.
    public private(set) var rowCount = 0

    init(handle: OpaquePointer, columnCount: Int, batchSize: Int) {
        self.handle = handle
        self.columnCount = columnCount
        self.batchSize = max(1, batchSize)
    }

    deinit { encoder.deallocate() }

    /// Appends one row; `values` must match the COPY's columns in number and order.
    public func append(_ values: [any PostgresEncodable]) throws {
        guard values.count == columnCount else {
            throw PostgresError(kind: .misuse, message: "COPY row \(rowCount + 1) has \(values.count) values for \(columnCount) columns")
        }
        encoder.appendRow(values)
        rowCount += 1
        rowsInBuffer += 1
        if rowsInBuffer >= batchSize || encoder.count >= Self.flushBytes { try flush() }
    }

    func flush() throws {
        guard encoder.count > 0 else { return }
        let sent = encoder.base.withMemoryRebound(to: CChar.self, capacity: encoder.count) {
            PQputCopyData(handle, $0, Int32(encoder.count))
        }
        guard sent == 1 else { throw PostgresError.fromConnection(handle) }
        encoder.reset()
        rowsInBuffer = 0
    }
}

extension PostgresConnection {
    /// Bulk-writes rows with `COPY table (columns) FROM STDIN`: `body` appends rows to the writer.
    /// All rows go in one statement (atomic on its own, or part of the surrounding transaction).
    /// If `body` throws, the COPY is aborted and nothing is written. Returns the rows copied.
    @discardableResult
    public func copy(
        into table: String, schema: String? = nil, columns: [String], batchSize: Int = 1_000,
        _ body: (PostgresCopyWriter) throws -> Void
    ) throws -> Int {
        let handle = try requireHandle()
        let target = try (schema.map { try quoteIdentifier($0) + "." } ?? "") + quoteIdentifier(table)
        let columnList = try columns.map { try quoteIdentifier($0) }.joined(separator: ", ")
        guard let started = PQexec(handle, "COPY \(target) (\(columnList)) FROM STDIN") else {
            throw PostgresError.fromConnection(handle)
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = PostgresRows(result: try check(started, handle))
            throw PostgresError(kind: .misuse, message: "COPY did not start")
        }
        PQclear(started)
        let writer = PostgresCopyWriter(handle: handle, columnCount: columns.count, batchSize: batchSize)
        do {
            try body(writer)
            try writer.flush()
        } catch {
            PQputCopyEnd(handle, "aborted by the client: \(error)")
            while let result = PQgetResult(handle) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw PostgresError.fromConnection(handle) }
        var outcome: Result<Int, Error>?
        while let result = PQgetResult(handle) {
            if outcome == nil {
                outcome = Result { try PostgresRows(result: check(result, handle)).affectedRows }
            } else {
                PQclear(result)
            }
        }
        guard let outcome else { throw PostgresError.fromConnection(handle) }
        return try outcome.get()
    }

    /// Bulk-writes a sequence of rows with one COPY, handing them to libpq `batchSize` rows at a time.
    @discardableResult
    public func copy<Rows: Sequence>(
        into table: String, schema: String? = nil, columns: [String], rows: Rows, batchSize: Int = 1_000
    ) throws -> Int where Rows.Element == [any PostgresEncodable] {
        try copy(into: table, schema: schema, columns: columns, batchSize: batchSize) { writer in
            for row in rows { try writer.append(row) }
        }
    }
}
