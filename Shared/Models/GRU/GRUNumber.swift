/// A GRU number: 17 digits, a 7-digit issuer prefix (configurable, `RulesPolicy.gruIssuerPrefix`) plus a
/// 10-digit sequence (DOMAIN §1). It is also the boleto's nosso número. Codable as the 17-digit string.
public struct GRUNumber: Hashable, Comparable, Sendable {
    public let value: String

    public init(_ text: String) throws(IdentifierError) {
        value = try validatedDigits(text, count: 17, kind: .gruNumber)
    }

    /// The number with issuer prefix `prefix` (7 digits) and sequence `sequence` (0 to 9 999 999 999).
    public init(prefix: String, sequence: Int64) throws(IdentifierError) {
        let validPrefix = try validatedDigits(prefix, count: 7, kind: .gruIssuerPrefix)
        guard (0...9_999_999_999).contains(sequence) else {
            throw .wrongLength(.gruNumber, expected: 10, actual: String(sequence).count)
        }
        value = validPrefix + CivilDate.pad(Int(sequence), 10)
    }

    /// The 7-digit issuer prefix.
    public var prefix: String { String(value.prefix(7)) }
    /// The 10-digit sequence.
    public var sequence: Int64 { Int64(value.suffix(10))! }

    public static func < (lhs: GRUNumber, rhs: GRUNumber) -> Bool { lhs.value < rhs.value }
}

extension GRUNumber: CustomStringConvertible, Codable {
    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
