import CLibPQ

/// Rows streamed into one `COPY ... FROM STDIN` (text format). Rows are buffered and handed to
/// libpq (`PQputCopyData`) every `batchSize` rows, or sooner once 16 KiB are pending, so the server
/// parses one chunk while the next is being encoded. Valid only inside the `copy` closure.
public final class PostgresCopyWriter {
    private let handle: OpaquePointer
    private let columnCount: Int
    private let batchSize: Int
    private static let flushBytes = 16 * 1024
    private var buffer: [UInt8] = []
    private var rowsInBuffer = 0
    /// Rows appended so far.
    public private(set) var rowCount = 0

    init(handle: OpaquePointer, columnCount: Int, batchSize: Int) {
        self.handle = handle
        self.columnCount = columnCount
        self.batchSize = max(1, batchSize)
        buffer.reserveCapacity(Self.flushBytes + 4096)
    }

    /// Appends one row; `values` must match the COPY's columns in number and order.
    public func append(_ values: [any PostgresEncodable]) throws {
        guard values.count == columnCount else {
            throw PostgresError(kind: .misuse, message: "COPY row \(rowCount + 1) has \(values.count) values for \(columnCount) columns")
        }
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            CopyTextFormat.append(value.postgresValue, to: &buffer)
        }
        buffer.append(UInt8(ascii: "\n"))
        rowCount += 1
        rowsInBuffer += 1
        if rowsInBuffer >= batchSize || buffer.count >= Self.flushBytes { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBytes {
            PQputCopyData(handle, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count))
        }
        guard sent == 1 else { throw PostgresError.fromConnection(handle) }
        buffer.removeAll(keepingCapacity: true)
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

/// COPY's text format: tab-separated, `\N` for NULL, backslash, tab, newline and carriage return
/// escaped with a backslash (PostgreSQL docs, "COPY", File Formats, Text Format).
enum CopyTextFormat {
    static func append(_ value: PostgresValue, to buffer: inout [UInt8]) {
        switch value {
        case .null:
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
        case .text(var text), .jsonb(var text):
            text.withUTF8 { appendEscaped($0, to: &buffer) }
        case .bytea, .textArray:
            var literal: [UInt8] = []
            value.appendText(to: &literal)
            literal.withUnsafeBufferPointer { appendEscaped($0, to: &buffer) }
        case .int16, .int32, .int64, .bool, .date, .timestamp, .uuid:
            value.appendText(to: &buffer) // never contains a character COPY must escape
        }
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        var runStart = 0
        for index in 0..<bytes.count {
            let escaped: UInt8
            switch bytes[index] {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            default: continue
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(escaped)
            runStart = index + 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }
}
