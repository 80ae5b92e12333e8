import Foundation
import Postgres

/// Why an account could not be created or changed (Portuguese, for the operator CLI).
public struct PortalAccountError: Error, CustomStringConvertible {
    public let description: String
}

/// The result of a login attempt.
public enum LoginResult: Sendable, Equatable {
    case success
    /// Wrong CNPJ root or password (the message never says which).
    case invalid
    /// Too many failures: locked until the date given.
    case locked(until: Date)
}

/// Portal accounts: one per CNPJ root (8 characters, digits or letters since IN RFB 2.229/2024),
/// created and reset by the operator CLI (`ressus portal conta criar|redefinir-senha`).
public struct PortalAccounts: Sendable {
    public let policy: PortalPolicy
    let hasher: PasswordHasher

    public init(policy: PortalPolicy = PortalPolicy()) {
        self.policy = policy
        hasher = PasswordHasher(policy: policy)
    }

    /// The CNPJ root in canonical form (uppercase, punctuation removed), or nil when it is not 8
    /// characters of 0-9/A-Z (DOMAIN §1).
    public static func normalizedRoot(_ text: String) -> String? {
        let cleaned = text.uppercased().filter { !".-/ ".contains($0) }
        guard cleaned.count == 8, cleaned.allSatisfy({ ("0"..."9").contains($0) || ("A"..."Z").contains($0) }),
              cleaned.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        return cleaned
    }

    /// Creates the account of `root`; fails if it exists.
    public func create(root: String, password: String, on c: PostgresConnection) throws {
        let root = try validated(root, password)
        let hash = try hasher.hash(password)
        guard try c.execute("INSERT INTO portal_accounts (cnpj_root, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                            [root, hash]) == 1 else {
            throw PortalAccountError(description: "já existe conta para a raiz de CNPJ \(root); use redefinir-senha")
        }
    }

    /// Sets a new password for `root`, ends its sessions and clears its lockout.
    public func resetPassword(root: String, password: String, on c: PostgresConnection) throws {
        let root = try validated(root, password)
        let hash = try hasher.hash(password)
        guard try c.execute("UPDATE portal_accounts SET password_hash = $2, updated_at = now() WHERE cnpj_root = $1",
                            [root, hash]) == 1 else {
            throw PortalAccountError(description: "não existe conta para a raiz de CNPJ \(root); use criar")
        }
        _ = try c.execute("DELETE FROM portal_sessions WHERE cnpj_root = $1", [root])
        _ = try c.execute("DELETE FROM portal_login_failures WHERE cnpj_root = $1", [root])
    }

    private func validated(_ root: String, _ password: String) throws -> String {
        guard let normalized = Self.normalizedRoot(root) else {
            throw PortalAccountError(description: "raiz de CNPJ inválida: informe 8 caracteres (0-9, A-Z)")
        }
        guard password.count >= policy.minimumPasswordLength else {
            throw PortalAccountError(description: "a senha precisa de ao menos \(policy.minimumPasswordLength) caracteres")
        }
        return normalized
    }

    /// Checks a login at `now`, counting failures per root (also for roots without an account, so
    /// the answer does not reveal which roots exist). Locked roots are refused even with the right
    /// password, and each attempt while locked extends the lock.
    public func login(root rawRoot: String, password: String, now: Date, on c: PostgresConnection) throws -> LoginResult {
        guard let root = Self.normalizedRoot(rawRoot) else {
            hasher.burn(password)
            return .invalid
        }
        let failure = try c.query(
            "SELECT failures, locked_until FROM portal_login_failures WHERE cnpj_root = $1 FOR UPDATE", [root]).first
        if let lockedUntil = try failure?.decode(Date?.self, at: 1), lockedUntil > now {
            hasher.burn(password)
            let until = now.addingTimeInterval(policy.lockDuration)
            _ = try c.execute("UPDATE portal_login_failures SET failures = failures + 1, last_failure = $2, locked_until = $3 WHERE cnpj_root = $1",
                              [root, now, until])
            return .locked(until: until)
        }
        let stored = try c.query("SELECT password_hash FROM portal_accounts WHERE cnpj_root = $1", [root]).first
        let valid: Bool
        if let stored { valid = hasher.verify(password, against: try stored.decode(String.self, at: 0)) } else {
            hasher.burn(password)
            valid = false
        }
        if valid {
            _ = try c.execute("DELETE FROM portal_login_failures WHERE cnpj_root = $1", [root])
            return .success
        }
        let failures = (try failure?.decode(Int.self, at: 0) ?? 0) + 1
        let lockedUntil: Date? = failures >= policy.maximumFailures ? now.addingTimeInterval(policy.lockDuration) : nil
        _ = try c.execute("""
            INSERT INTO portal_login_failures (cnpj_root, failures, last_failure, locked_until) VALUES ($1, $2, $3, $4)
            ON CONFLICT (cnpj_root) DO UPDATE SET failures = $2, last_failure = $3, locked_until = $4
            """, [root, failures, now, lockedUntil])
        return lockedUntil.map { .locked(until: $0) } ?? .invalid
    }
}
