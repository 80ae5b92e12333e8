import _CryptoExtras
import Crypto
import Foundation

/// Slow salted password hashes with scrypt (memory-hard; swift-crypto's `KDF.Scrypt`), stored as
/// `scrypt$N$r$p$<salt hex>$<hash hex>`. The password itself is never stored or logged.
public struct PasswordHasher: Sendable {
    public let rounds: Int
    public let blockSize: Int
    public let parallelism: Int
    static let saltBytes = 16
    static let hashBytes = 32

    public init(policy: PortalPolicy = PortalPolicy()) {
        rounds = policy.scryptRounds
        blockSize = policy.scryptBlockSize
        parallelism = policy.scryptParallelism
    }

    public func hash(_ password: String) throws -> String {
        let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: 0...255) }
        let derived = try derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(hex(salt))$\(hex(derived))"
    }

    /// Whether `password` matches `stored` (compared in constant time).
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              let salt = bytes(parts[4]), let expected = bytes(parts[5]),
              let derived = try? derive(password, salt: salt, rounds: n, blockSize: r, parallelism: p),
              derived.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(derived, expected) { difference |= a ^ b }
        return difference == 0
    }

    /// Spends the time of one verification (for unknown accounts, so timing does not reveal them).
    public func burn(_ password: String) {
        _ = try? derive(password, salt: [UInt8](repeating: 0, count: Self.saltBytes), rounds: rounds,
                        blockSize: blockSize, parallelism: parallelism)
    }

    private func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: Self.hashBytes, rounds: rounds,
            blockSize: blockSize, parallelism: parallelism, maxMemory: 64 * 1024 * 1024)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Lowercase hexadecimal text of `bytes` (every portal request hashes its session cookie: no
/// `String(format:)` per byte).
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}

private func bytes(_ hex: String) -> [UInt8]? {
    let chars = Array(hex.utf8)
    guard chars.count % 2 == 0 else { return nil }
    var result: [UInt8] = []
    var index = 0
    while index < chars.count {
        guard let byte = UInt8(String(decoding: chars[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
        result.append(byte)
        index += 2
    }
    return result
}

/// A random token for cookies and forms: 32 bytes from the system's CSPRNG, base64url.
func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let raw = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Data(raw).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// SHA-256 of a token, hex: what the database keeps of a session cookie.
func tokenHash(_ token: String) -> String { hex(SHA256.hash(data: Array(token.utf8))) }
