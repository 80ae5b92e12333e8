import Foundation
import UUIDText

/// A value bound to a query parameter or written by COPY. Most callers pass Swift values directly
/// (anything `PostgresEncodable`); this enum is what they turn into.
public enum PostgresValue: Sendable, Hashable {
    case null
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case bool(Bool)
    /// Sent with no declared type, so the server reads it as whatever the context needs
    /// (text, varchar, date, numeric, ...).
    case text(String)
    case date(PostgresDate)
    /// A `timestamptz`, sent in UTC at microsecond precision.
    case timestamp(Date)
    case uuid(UUID)
    case bytea([UInt8])
    case jsonb(String)
    /// A one-dimensional `text[]`; nil elements are NULL.
    case textArray([String?])

    /// The parameter type OID sent with the value (0: let the server infer it).
    var typeOID: UInt32 {
        switch self {
        case .null, .text: return 0
        case .int16: return PostgresType.int2
        case .int32: return PostgresType.int4
        case .int64: return PostgresType.int8
        case .bool: return PostgresType.bool
        case .date: return PostgresType.date
        case .timestamp: return PostgresType.timestamptz
        case .uuid: return PostgresType.uuid
        case .bytea: return PostgresType.bytea
        case .jsonb: return PostgresType.jsonb
        case .textArray: return PostgresType.textArray
        }
    }

    /// Appends the value's PostgreSQL text representation (not for `.null`; `.bytea` as `\x` hex).
    func appendText(to bytes: inout [UInt8]) {
        switch self {
        case .null: break
        case .int16(let value): ASCIIDigits.appendInteger(Int64(value), to: &bytes)
        case .int32(let value): ASCIIDigits.appendInteger(Int64(value), to: &bytes)
        case .int64(let value): ASCIIDigits.appendInteger(value, to: &bytes)
        case .bool(let value): bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .text(let value), .jsonb(let value): bytes.append(contentsOf: value.utf8)
        case .date(let value): value.appendISO(to: &bytes)
        case .timestamp(let value): PostgresTimestamp.append(value, to: &bytes)
        case .uuid(let value): bytes.append(contentsOf: value.canonicalText.utf8)
        case .bytea(let value):
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "x"))
            let hex = Array("0123456789abcdef".utf8)
            for byte in value {
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0f)])
            }
        case .textArray(let elements):
            bytes.append(UInt8(ascii: "{"))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard let element else { bytes.append(contentsOf: "NULL".utf8); continue }
                bytes.append(UInt8(ascii: "\""))
                for byte in element.utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(byte)
                }
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

extension PostgresValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// PostgreSQL type OIDs the wrapper knows (from pg_type.dat).
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let json: UInt32 = 114
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
}

extension PostgresValue {
    /// The value's PostgreSQL text input form (`.null`: empty), e.g. a `text[]` as `{"a","b"}` to
    /// travel as one element of an outer text array (`unnest` flattens arrays of arrays).
    public var textInput: String {
        var bytes: [UInt8] = []
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
