import Foundation

/// A Swift value that can be bound to a query parameter or written by COPY.
/// Money goes as `Int64` centavos; civil dates as `PostgresDate` (or "YYYY-MM-DD" strings);
/// `timestamptz` as `Date`; `jsonb` as `PostgresJSON`; `bytea` as `[UInt8]`; `text[]` as `[String]`.
public protocol PostgresEncodable: Sendable {
    var postgresValue: PostgresValue { get }
}

extension PostgresValue: PostgresEncodable {
    public var postgresValue: PostgresValue { self }
}

extension Int16: PostgresEncodable { public var postgresValue: PostgresValue { .int16(self) } }
extension Int32: PostgresEncodable { public var postgresValue: PostgresValue { .int32(self) } }
extension Int64: PostgresEncodable { public var postgresValue: PostgresValue { .int64(self) } }
extension Int: PostgresEncodable { public var postgresValue: PostgresValue { .int64(Int64(self)) } }
extension Bool: PostgresEncodable { public var postgresValue: PostgresValue { .bool(self) } }
extension String: PostgresEncodable { public var postgresValue: PostgresValue { .text(self) } }
extension Substring: PostgresEncodable { public var postgresValue: PostgresValue { .text(String(self)) } }
extension PostgresDate: PostgresEncodable { public var postgresValue: PostgresValue { .date(self) } }
extension Date: PostgresEncodable { public var postgresValue: PostgresValue { .timestamp(self) } }
extension UUID: PostgresEncodable { public var postgresValue: PostgresValue { .uuid(self) } }

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresValue: PostgresValue { self?.postgresValue ?? .null }
}

/// JSON text for a `jsonb` (or `json`) column.
public struct PostgresJSON: Sendable, Hashable, PostgresEncodable {
    public var text: String
    public init(_ text: String) { self.text = text }
    public init(bytes: [UInt8]) { self.text = String(decoding: bytes, as: UTF8.self) }
    public var postgresValue: PostgresValue { .jsonb(text) }
}

/// Element types whose Swift arrays map to one PostgreSQL type: `[UInt8]` is `bytea`,
/// `[String]` is `text[]`.
public protocol PostgresArrayElement: Sendable {
    static func postgresValue(of array: [Self]) -> PostgresValue
    static func decodeArray(_ cell: PostgresCell) throws -> [Self]
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresValue: PostgresValue { Element.postgresValue(of: self) }
}
