import Foundation
import UUIDText

/// One field of a result row, as handed to a decoder. Only valid during the `decode` call.
public struct PostgresCell {
    /// The field's text representation, nil when NULL.
    public let bytes: UnsafeBufferPointer<UInt8>?
    /// The column's PostgreSQL type OID (see `PostgresType`).
    public let typeOID: UInt32
    public let columnName: String
    public let columnIndex: Int

    public var isNull: Bool { bytes == nil }

    /// The field's bytes, or `unexpectedNull`.
    public func requireBytes() throws -> UnsafeBufferPointer<UInt8> {
        guard let bytes else {
            throw PostgresError(kind: .unexpectedNull, message: "column \(label) is NULL; decode it as an Optional")
        }
        return bytes
    }

    /// Throws `typeMismatch` unless the column's type is one of `accepted`.
    public func requireType(_ accepted: Set<UInt32>, swiftType: Any.Type) throws {
        guard accepted.contains(typeOID) else {
            throw PostgresError(
                kind: .typeMismatch,
                message: "column \(label) has type OID \(typeOID), which cannot be decoded as \(swiftType)"
            )
        }
    }

    /// An `invalidValue` error naming this cell.
    public func invalid(_ swiftType: Any.Type) -> PostgresError {
        let text = bytes.map { String(decoding: $0, as: UTF8.self) } ?? "NULL"
        return PostgresError(kind: .invalidValue, message: "column \(label) value '\(text)' is not a valid \(swiftType)")
    }

    var label: String { "\"\(columnName)\" (#\(columnIndex))" }
}

/// A Swift type a result field can be decoded as. Optional types decode NULL as nil; all others
/// throw `unexpectedNull` for it.
public protocol PostgresDecodable {
    static func decode(_ cell: PostgresCell) throws -> Self
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Wrapped? {
        cell.isNull ? nil : try Wrapped.decode(cell)
    }
}

private let integerTypes: Set<UInt32> = [PostgresType.int2, PostgresType.int4, PostgresType.int8]

private func decodeInteger<T: FixedWidthInteger>(_ cell: PostgresCell) throws -> T {
    let bytes = try cell.requireBytes()
    try cell.requireType(integerTypes, swiftType: T.self)
    guard let value = ASCIIDigits.parseInteger(bytes), let exact = T(exactly: value) else { throw cell.invalid(T.self) }
    return exact
}

extension Int16: PostgresDecodable { public static func decode(_ cell: PostgresCell) throws -> Int16 { try decodeInteger(cell) } }
extension Int32: PostgresDecodable { public static func decode(_ cell: PostgresCell) throws -> Int32 { try decodeInteger(cell) } }
extension Int64: PostgresDecodable { public static func decode(_ cell: PostgresCell) throws -> Int64 { try decodeInteger(cell) } }
extension Int: PostgresDecodable { public static func decode(_ cell: PostgresCell) throws -> Int { try decodeInteger(cell) } }

extension Bool: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Bool {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.bool], swiftType: Bool.self)
        switch bytes.first {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw cell.invalid(Bool.self)
        }
    }
}

extension String: PostgresDecodable {
    /// Any column's text representation except `bytea` (decode that as `[UInt8]`).
    public static func decode(_ cell: PostgresCell) throws -> String {
        let bytes = try cell.requireBytes()
        guard cell.typeOID != PostgresType.bytea else {
            throw PostgresError(kind: .typeMismatch, message: "column \(cell.label) is bytea; decode it as [UInt8]")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PostgresDate: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> PostgresDate {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.date], swiftType: PostgresDate.self)
        guard let date = PostgresDate(utf8: bytes) else { throw cell.invalid(PostgresDate.self) }
        return date
    }
}

extension Date: PostgresDecodable {
    /// From `timestamptz` (or `timestamp`, read as UTC).
    public static func decode(_ cell: PostgresCell) throws -> Date {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.timestamptz, PostgresType.timestamp], swiftType: Date.self)
        guard let date = PostgresTimestamp.parse(bytes) else { throw cell.invalid(Date.self) }
        return date
    }
}

extension UUID: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> UUID {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.uuid], swiftType: UUID.self)
        guard let uuid = UUID(canonicalText: bytes) else { throw cell.invalid(UUID.self) }
        return uuid
    }
}

extension PostgresJSON: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> PostgresJSON {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.jsonb, PostgresType.json], swiftType: PostgresJSON.self)
        return PostgresJSON(String(decoding: bytes, as: UTF8.self))
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func decode(_ cell: PostgresCell) throws -> [Element] { try Element.decodeArray(cell) }
}

extension UInt8: PostgresArrayElement {
    public static func postgresValue(of array: [UInt8]) -> PostgresValue { .bytea(array) }

    /// From `bytea` in hex output format (`\x0aff...`, the server default since 9.0).
    public static func decodeArray(_ cell: PostgresCell) throws -> [UInt8] {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.bytea], swiftType: [UInt8].self)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            throw cell.invalid([UInt8].self)
        }
        var result = [UInt8]()
        result.reserveCapacity((bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else {
                throw cell.invalid([UInt8].self)
            }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String: PostgresArrayElement {
    public static func postgresValue(of array: [String]) -> PostgresValue { .textArray(array) }

    /// From a one-dimensional `text[]`/`varchar[]`; a NULL element is `unexpectedNull`.
    public static func decodeArray(_ cell: PostgresCell) throws -> [String] {
        let bytes = try cell.requireBytes()
        try cell.requireType([PostgresType.textArray, PostgresType.varcharArray], swiftType: [String].self)
        guard let elements = PostgresArrayText.parse(bytes) else { throw cell.invalid([String].self) }
        return try elements.map {
            guard let element = $0 else {
                throw PostgresError(kind: .unexpectedNull, message: "column \(cell.label) has a NULL array element")
            }
            return element
        }
    }
}

/// Reads the text output of a one-dimensional array: `{a,"b c",NULL,"with \"quote\""}`.
enum PostgresArrayText {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String?]? {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var elements: [String?] = []
        var index = 1
        let end = bytes.count - 1
        if index == end { return [] }
        while index < end {
            var element: [UInt8] = []
            var quoted = false
            if bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < end else { return nil }
                    element.append(bytes[index])
                    index += 1
                }
                guard index < end else { return nil }
                index += 1 // closing quote
            } else {
                while index < end, bytes[index] != UInt8(ascii: ",") {
                    if bytes[index] == UInt8(ascii: "{") { return nil } // multi-dimensional: not supported
                    element.append(bytes[index])
                    index += 1
                }
            }
            let text = String(decoding: element, as: UTF8.self)
            elements.append(!quoted && text.uppercased() == "NULL" ? nil : text)
            if index < end {
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index += 1
            }
        }
        return elements
    }
}
