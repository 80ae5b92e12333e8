import Foundation
import Postgres

/// A logged-in operadora.
public struct PortalSession: Sendable, Hashable {
    public let cnpjRoot: String
    /// The token every form of this session must carry (CSRF protection).
    public let csrfToken: String
    public let expiresAt: Date
}

/// Server-side sessions: the cookie holds a random 256-bit token; the database keeps only its
/// SHA-256, the CNPJ root, a per-session CSRF token and the expiry. A new token is made at every
/// login (the old one, if any, is deleted), so a session id planted before login is never
/// promoted (no fixation).
public enum PortalSessions {
    /// Starts a session for `root`; returns the cookie token and the session.
    public static func start(root: String, replacing oldToken: String?, now: Date, policy: PortalPolicy,
                             on c: PostgresConnection) throws -> (token: String, session: PortalSession) {
        if let oldToken { try end(token: oldToken, on: c) }
        let token = randomToken()
        let session = PortalSession(cnpjRoot: root, csrfToken: randomToken(), expiresAt: now.addingTimeInterval(policy.sessionLifetime))
        _ = try c.execute("""
            INSERT INTO portal_sessions (token_hash, cnpj_root, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
            """, [tokenHash(token), root, session.csrfToken, now, session.expiresAt])
        return (token, session)
    }

    /// The live session of `token` with the operadoras of its CNPJ root (ordered by registro ANS),
    /// in one round trip (every portal page asks for both); nil when unknown, or expired (then it is
    /// deleted).
    static func find(token: String, now: Date, on c: PostgresConnection) throws -> (PortalSession, [OperadoraView])? {
        let rows = try c.query(sessionWithOperadoras, [tokenHash(token)])
        guard let first = rows.first else { return nil }
        let session = PortalSession(cnpjRoot: try first.decode(at: 0), csrfToken: try first.decode(at: 1), expiresAt: try first.decode(at: 2))
        guard session.expiresAt > now else {
            try end(token: token, on: c)
            return nil
        }
        let operadoras = try rows.compactMap { row -> OperadoraView? in
            guard let registro = try row.decode(String?.self, at: 3) else { return nil }
            return OperadoraView(registroANS: registro, cnpj: try row.decode(at: 4), razaoSocial: try row.decode(at: 5),
                                 email: try row.decode(at: 6))
        }
        return (session, operadoras)
    }

    static let sessionWithOperadoras = PostgresStatement("""
        SELECT s.cnpj_root, s.csrf_token, s.expires_at, o.registro_ans, o.cnpj, o.razao_social, o.email
        FROM portal_sessions s LEFT JOIN rm_operadoras o ON o.cnpj_root = s.cnpj_root
        WHERE s.token_hash = $1 ORDER BY o.registro_ans
        """)

    public static func end(token: String, on c: PostgresConnection) throws {
        _ = try c.execute("DELETE FROM portal_sessions WHERE token_hash = $1", [tokenHash(token)])
    }
}
