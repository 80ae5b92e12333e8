/// A CNPJ, numeric or alphanumeric (IN RFB 2.229/2024): 8-character root, 4-character order,
/// 2 numeric check digits (DOMAIN §1). Codable as the 14 characters without punctuation.
public struct CNPJ: Hashable, Sendable {
    /// The 14 characters, uppercase, without punctuation.
    public let value: String

    /// Validates `text`, with or without punctuation (`12.ABC.345/01DE-35` or `12ABC34501DE35`);
    /// lowercase letters are accepted and normalized to uppercase.
    public init(_ text: String) throws(IdentifierError) {
        let stripped = text.filter { !".-/ ".contains($0) }.uppercased()
        guard !stripped.isEmpty else { throw .empty(.cnpj) }
        let characters = Array(stripped.utf8)
        guard characters.allSatisfy({ CNPJ.isAllowed($0) }) else { throw .invalidCharacters(.cnpj, text) }
        guard characters.count == 14 else { throw .wrongLength(.cnpj, expected: 14, actual: characters.count) }
        guard characters[12...].allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .invalidCharacters(.cnpj, text)
        }
        guard Set(characters).count > 1 else { throw .allSameCharacter(.cnpj) }
        let expected = try CNPJ.checkDigits(for: String(decoding: characters[..<12], as: UTF8.self))
        let actual = String(decoding: characters[12...], as: UTF8.self)
        guard expected == actual else { throw .wrongCheckDigits(.cnpj, expected: expected, actual: actual) }
        value = stripped
    }

    /// Whether `text` is a valid CNPJ.
    public static func isValid(_ text: String) -> Bool {
        (try? CNPJ(text)) != nil
    }

    /// The two check digits for the first 12 characters (root + order), e.g. to generate valid CNPJs.
    /// Each character's value is its ASCII code − 48; DV1 weights 5,4,3,2,9,8,7,6,5,4,3,2; DV2 weights
    /// 6,5,4,3,2,9,8,7,6,5,4,3,2; remainder 0 or 1 gives 0, otherwise 11 − remainder (IN RFB 2.229/2024).
    public static func checkDigits(for base: String) throws(IdentifierError) -> String {
        let characters = Array(base.uppercased().utf8)
        guard characters.count == 12 else { throw .wrongLength(.cnpj, expected: 12, actual: characters.count) }
        guard characters.allSatisfy(isAllowed) else { throw .invalidCharacters(.cnpj, base) }
        let values = characters.map { Int($0) - 48 }
        let dv1 = digit(values, weights: [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
        let dv2 = digit(values + [dv1], weights: [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
        return "\(dv1)\(dv2)"
    }

    private static func digit(_ values: [Int], weights: [Int]) -> Int {
        let remainder = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11
        return remainder < 2 ? 0 : 11 - remainder
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte)
    }

    /// The 8-character root (portal login).
    public var root: String { String(value.prefix(8)) }
    /// The 4-character establishment order.
    public var order: String { String(value.dropFirst(8).prefix(4)) }
    /// The two check digits.
    public var checkDigits: String { String(value.suffix(2)) }

    /// `12.ABC.345/01DE-35`.
    public var formatted: String {
        let c = Array(value)
        return "\(String(c[0..<2])).\(String(c[2..<5])).\(String(c[5..<8]))/\(String(c[8..<12]))-\(String(c[12..<14]))"
    }
}

extension CNPJ: CustomStringConvertible, Codable {
    public var description: String { formatted }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
