import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import Testing
import TestSupport

/// A browser-like client of the portal over real HTTP (HummingbirdTesting's live server): keeps
/// cookies, never runs scripts, follows no redirects.
final class PortalBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    /// The Set-Cookie lines of the last response.
    var lastSetCookies: [String] = []

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: ByteBuffer
        var text: String { String(buffer: body) }
        var location: String? { headers[.location] }
        /// The CSRF token of the first form on the page.
        var csrf: String? {
            guard let range = text.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
            return String(text[range].split(separator: "\"")[3])
        }
    }

    func get(_ path: String) async throws -> Page {
        try await send(path, method: .get, body: nil)
    }

    func post(_ path: String, _ form: [(String, String)]) async throws -> Page {
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        return try await send(path, method: .post, body: body)
    }

    private func send(_ path: String, method: HTTPRequest.Method, body: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers,
                                                       body: body.map { ByteBuffer(string: $0) })
        lastSetCookies = response.headers[values: .setCookie]
        for line in lastSetCookies {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if line.lowercased().contains("max-age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        return Page(status: response.status, headers: response.headers, body: response.body)
    }

    /// Opens the login page and submits the form.
    @discardableResult
    func login(root: String, password: String) async throws -> Page {
        let form = try await get("/portal/entrar")
        let token = try #require(form.csrf, "login form without CSRF token")
        return try await post("/portal/entrar", [("csrf", token), ("cnpj_raiz", root), ("senha", password)])
    }
}

/// A portal on a live HTTP server over a fixture schema, with operadoras A and B and their data,
/// and a business clock fixed on 31/03/2026.
struct PortalHarness {
    static let rootA = "12ABC345", rootB = "99887766"
    static let registroA = "341234", registroB = "559900"
    static let passwordA = "senha-forte-da-operadora-A", passwordB = "outra-senha-forte-B"
    static let today = "2026-03-31"
    static let documentB = "4400000000099"

    /// Real time for sessions and lockouts, movable by tests (starts at the wall clock).
    final class SecurityClock: @unchecked Sendable {
        private let lock = NSLock()
        private var offset: TimeInterval = 0
        func advance(_ seconds: TimeInterval) { lock.withLock { offset += seconds } }
        var now: Date { lock.withLock { Date().addingTimeInterval(offset) } }
    }

    static func run(secureCookies: Bool = true, securityClock: SecurityClock = SecurityClock(), logger: Logger = quietLogger,
                    _ body: @escaping @Sendable (Fixture, PortalBrowser, Int?) async throws -> Void) async throws {
        try await Fixture.with { fixture in
            try await fixture.apply(try PositionReportTests.events())
            try await fixture.apply([
                try Events.envelope(NotificationIssued(abi: try ABINumber(90), registroANS: try RegistroANS(registroA),
                                                       availableOn: Events.date("2026-03-20"), atendimentoCount: 1,
                                                       totalToReimburse: Events.money("1000,00"), batchCount: 1)),
                try Events.envelope(NotificationAtendimentos(abi: try ABINumber(90), registroANS: try RegistroANS(registroA), batch: 1,
                                                             atendimentos: [Events.atendimento("3500000000011", amount: "1000,00")])),
                try Events.envelope(NotificationIssued(abi: try ABINumber(77), registroANS: try RegistroANS(registroB),
                                                       availableOn: Events.date("2026-03-20"), atendimentoCount: 1,
                                                       totalToReimburse: Events.money("500,00"), batchCount: 1)),
                try Events.envelope(NotificationAtendimentos(abi: try ABINumber(77), registroANS: try RegistroANS(registroB), batch: 1,
                                                             atendimentos: [Events.atendimento(documentB, amount: "500,00")])),
            ])
            var policy = PortalPolicy()
            policy.maximumFailures = 3
            policy.secureCookies = secureCookies
            policy.pageSize = 2
            let accounts = PortalAccounts(policy: policy)
            try await fixture.pool.withTransaction { c in
                try accounts.create(root: rootA, password: passwordA, on: c)
                try accounts.create(root: rootB, password: passwordB, on: c)
            }
            let clock = SimulatedClock(startingAt: BusinessTimeZone.startOfDay(Events.date(today)).addingTimeInterval(12 * 3600))
            let router = Router()
            Portal.install(on: router, environment: PortalEnvironment(
                database: fixture.pool, businessClock: clock, securityNow: { securityClock.now }, policy: policy,
                logger: logger))
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            try await app.test(.live) { client in
                try await body(fixture, PortalBrowser(client), client.port)
            }
        }
    }
}
