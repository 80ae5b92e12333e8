import CLibPQ

/// The rows a query returned, held in libpq's result until this value goes away.
/// Immutable, so it may cross threads.
public final class PostgresRows: @unchecked Sendable, RandomAccessCollection {
    private let result: OpaquePointer
    /// Column names, in result order.
    public let columnNames: [String]
    private let columnIndexes: [String: Int]
    private let columnTypes: [UInt32]
    /// Rows inserted, updated, deleted, copied or selected (from the command tag), 0 if none.
    public let affectedRows: Int
    /// The command tag, e.g. "INSERT 0 3", "COMMIT".
    public let commandTag: String

    init(result: OpaquePointer) {
        self.result = result
        let count = Int(PQnfields(result))
        let names = (0..<count).map { String(cString: PQfname(result, Int32($0))) }
        columnNames = names
        columnTypes = (0..<count).map { UInt32(PQftype(result, Int32($0))) }
        var indexes: [String: Int] = [:]
        for (index, name) in names.enumerated() where indexes[name] == nil { indexes[name] = index }
        columnIndexes = indexes
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        commandTag = String(cString: PQcmdStatus(result))
    }

    deinit { PQclear(result) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(result)) }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    func columnIndex(named name: String) throws -> Int {
        guard let index = columnIndexes[name] else {
            throw PostgresError(
                kind: .columnMissing,
                message: "no column \"\(name)\" in the result (columns: \(columnNames.joined(separator: ", ")))"
            )
        }
        return index
    }

    func decode<T: PostgresDecodable>(_ type: T.Type, row: Int, column: Int) throws -> T {
        guard columnTypes.indices.contains(column) else {
            throw PostgresError(kind: .columnMissing, message: "no column #\(column); the result has \(columnTypes.count)")
        }
        let r = Int32(row), c = Int32(column)
        let bytes: UnsafeBufferPointer<UInt8>? = PQgetisnull(result, r, c) == 1 ? nil : PQgetvalue(result, r, c)
            .withMemoryRebound(to: UInt8.self, capacity: 1) {
                UnsafeBufferPointer(start: $0, count: Int(PQgetlength(result, r, c)))
            }
        let cell = PostgresCell(bytes: bytes, typeOID: columnTypes[column], columnName: columnNames[column], columnIndex: column)
        return try withExtendedLifetime(self) { try T.decode(cell) }
    }
}

/// One row of a `PostgresRows`.
public struct PostgresRow: Sendable {
    public let rows: PostgresRows
    public let index: Int

    /// The field at a zero-based column position.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        try rows.decode(type, row: index, column: column)
    }

    /// The field of the (first) column with this name.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        try rows.decode(type, row: index, column: rows.columnIndex(named: name))
    }
}
