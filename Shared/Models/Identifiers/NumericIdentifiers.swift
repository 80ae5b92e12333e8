/// Registro ANS of an operadora: 6 digits with leading zeros (DOMAIN §1). Codable as the string.
public struct RegistroANS: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public init(_ text: String) throws(IdentifierError) {
        value = try validatedDigits(text, count: 6, kind: .registroANS)
    }
    public var description: String { value }
    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(value)
    }
}

/// Number of an ABI (Aviso de Beneficiários Identificados): a positive integer. Codable as the integer.
public struct ABINumber: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: Int
    public init(_ value: Int) throws(IdentifierError) {
        guard value > 0 else { throw .notPositive(.abiNumber) }
        self.value = value
    }
    public init(parsing text: String) throws(IdentifierError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty(.abiNumber) }
        guard trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(trimmed) else {
            throw .invalidCharacters(.abiNumber, text)
        }
        try self.init(number)
    }
    public var description: String { "ABI \(value)" }
    public static func < (lhs: ABINumber, rhs: ABINumber) -> Bool { lhs.value < rhs.value }
    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(Int.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(value)
    }
}

/// Number of a SUS document, AIH or APAC: 13 digits (DOMAIN §1). Codable as the string.
public struct SUSDocumentNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public init(_ text: String) throws(IdentifierError) {
        value = try validatedDigits(text, count: 13, kind: .susDocumentNumber)
    }
    public var description: String { value }
    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(value)
    }
}

/// SIGTAP procedure code: 10 digits (DOMAIN §1). Codable as the string.
public struct SIGTAPCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public init(_ text: String) throws(IdentifierError) {
        if let digits = ASCIIFastPath.digits(text, count: 10) {
            value = digits
        } else {
            value = try validatedDigits(text.filter { $0 != "." && $0 != "-" }, count: 10, kind: .sigtapCode)
        }
    }
    public var description: String { value }
    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(value)
    }
}

/// CNES of a SUS provider: 7 digits (DOMAIN §1). Codable as the string.
public struct CNES: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public init(_ text: String) throws(IdentifierError) {
        value = try validatedDigits(text, count: 7, kind: .cnes)
    }
    public var description: String { value }
    public init(from decoder: any Decoder) throws { try self.init(decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(value)
    }
}
