import Foundation
import Runtime

/// The portal's security policy values, in one place.
public struct PortalPolicy: Sendable {
    /// scrypt cost parameters for stored passwords (N = 2^14, r = 8, p = 1: 16 MiB and tens of
    /// milliseconds per hash, OWASP's minimum for scrypt).
    public var scryptRounds = 1 << 14
    public var scryptBlockSize = 8
    public var scryptParallelism = 1
    /// Passwords shorter than this are refused when an account is created or reset.
    public var minimumPasswordLength = 12
    /// Consecutive failed logins (per CNPJ root) that lock the account...
    public var maximumFailures = 5
    /// ...for this long; every further failure while locked extends the lock.
    public var lockDuration: TimeInterval = 15 * 60
    /// A session ends this long after login (no sliding renewal).
    public var sessionLifetime: TimeInterval = 8 * 60 * 60
    /// Whether cookies carry `Secure` (HTTPS only). Off only for local http (see ``from(_:)``).
    public var secureCookies = true
    /// GRUs and atendimentos per page in the portal lists.
    public var pageSize = 50
    /// Highest list page asked for that is honoured (`?pagina=` beyond it shows this page): keeps
    /// the row offset far inside 64 bits whatever number arrives in the URL.
    public var maximumPage = 1_000_000

    public init() {}

    /// The list page asked for by `?pagina=`: 1 when absent, unreadable or below 1, at most
    /// ``maximumPage``.
    public func page(_ text: String?) -> Int {
        min(max(1, Int(text ?? "") ?? 1), maximumPage)
    }

    /// The standard policy for a service run with `configuration`: `RESSUS_PORTAL_INSECURE_COOKIES=1`
    /// (read by `ServiceConfiguration`, like every variable) drops `Secure` from the cookies for local
    /// runs over plain http (never in production).
    public static func from(_ configuration: ServiceConfiguration) -> PortalPolicy {
        var policy = PortalPolicy()
        policy.secureCookies = !configuration.portalInsecureCookies
        return policy
    }
}
