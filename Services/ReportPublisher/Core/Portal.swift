import Foundation
import Hummingbird
import Logging
import Models
import Postgres
import Runtime

/// What the portal needs to run.
public struct PortalEnvironment: Sendable {
    public let database: PostgresPool
    /// The business clock: "today" for the reference date and ciência (simulated in demos).
    public let businessClock: any BusinessClock
    /// Real time for sessions and lockouts (never the simulated business clock).
    public let securityNow: @Sendable () -> Date
    public let policy: PortalPolicy
    public let logger: Logger

    public init(database: PostgresPool, businessClock: any BusinessClock,
                securityNow: @escaping @Sendable () -> Date = { Date() }, policy: PortalPolicy, logger: Logger) {
        self.database = database
        self.businessClock = businessClock
        self.securityNow = securityNow
        self.policy = policy
        self.logger = logger
    }

    var today: CivilDate { BusinessTimeZone.civilDate(of: businessClock.now) }
}

/// A logged-in request: the session, its token and the operadoras of its CNPJ root.
struct PortalUser: Sendable {
    let session: PortalSession
    let token: String
    let operadoras: [OperadoraView]
    /// The operadora shown (the first of the root's, or the one chosen with `?operadora=` among them).
    let current: OperadoraView?
}

/// The operadoras' portal (DOMAIN §9) under `/portal`: login, Central de Relatórios → Financeiro →
/// Posição Financeira Atualizada (PDF), GRUs emitidas, Situação dos atendimentos, notifications and
/// ciência. Every query is filtered by the logged-in operadora's registro ANS; another
/// operadora's GRU, ABI or registro answers 404.
public enum Portal {
    static let sessionCookie = "ressus_portal_sessao"
    static let loginCookie = "ressus_portal_login"
    static let maximumBody = 16 * 1024

    /// Adds the portal's routes to `router`.
    public static func install(on router: Router<BasicRequestContext>, environment env: PortalEnvironment) {
        router.get("portal") { request, _ in
            let user = try await currentUser(request, env)
            return withSecurityHeaders(redirect(user == nil ? "/portal/entrar" : "/portal/relatorios"))
        }
        let portal = router.group("portal").add(middleware: SecurityHeaders())
        portal.get("estilo.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: HTML.styleSheet)))
        }
        portal.get("entrar") { request, _ in try await loginPage(request, env) }
        portal.post("entrar") { request, _ in try await login(request, env) }
        portal.post("sair") { request, _ in try await logout(request, env) }
        portal.get("relatorios") { request, _ in
            try await authenticated(request, env) { user, _ in PortalPages.central(user) }
        }
        portal.get("relatorios/financeiro") { request, _ in
            try await authenticated(request, env) { user, _ in PortalPages.financeiro(user) }
        }
        portal.get("relatorios/financeiro/posicao") { request, _ in
            try await authenticated(request, env) { user, _ in
                PortalPages.positionForm(user, date: env.today.description, today: env.today)
            }
        }
        portal.post("relatorios/financeiro/posicao") { request, _ in try await positionReport(request, env) }
        portal.get("grus") { request, _ in
            try await page(request, env, load: { user, query, c in try PortalPages.loadGRUs(user, query: query, policy: env.policy, on: c) },
                           render: PortalPages.grus)
        }
        portal.get("grus/:numero") { request, context in
            let number = context.parameters.get("numero") ?? ""
            return try await authenticated(request, env) { user, _ in try await PortalPages.gru(user, number: number, env) }
        }
        portal.get("atendimentos") { request, _ in
            try await page(request, env, load: { user, query, c in
                try PortalPages.loadAtendimentos(user, query: query, policy: env.policy, on: c)
            }, render: PortalPages.atendimentos)
        }
        portal.get("notificacoes") { request, _ in
            try await authenticated(request, env) { user, query in
                try await PortalPages.notifications(user, message: nil, env)
            }
        }
        portal.post("notificacoes/:abi/ciencia") { request, context in
            try await ciencia(request, abi: context.parameters.get("abi") ?? "", env)
        }
    }

    // MARK: Sessions

    /// The logged-in user of `request` (nil without a live session), in one pool checkout that then
    /// runs `load` on the same connection: a page costs one checkout, not one for the session and
    /// another for its data. `?operadora=` (in `query`) may pick another operadora of the same CNPJ
    /// root; any other value gives `.foreign`.
    static func lookUp<T: Sendable>(_ request: Request, _ env: PortalEnvironment, query: [String: String],
                                    then load: @escaping @Sendable (PortalUser, PostgresConnection) throws -> T) async throws -> Lookup<T> {
        guard let token = request.cookies[sessionCookie]?.value, !token.isEmpty else { return .anonymous }
        let now = env.securityNow()
        let chosen = query["operadora"].flatMap { $0.isEmpty ? nil : $0 }
        return try await env.database.withConnection { c in
            guard let (session, operadoras) = try PortalSessions.find(token: token, now: now, on: c) else { return .anonymous }
            let user = PortalUser(session: session, token: token, operadoras: operadoras, current: operadoras.first)
            guard let chosen else { return .found(user, try load(user, c)) }
            guard let match = operadoras.first(where: { $0.registroANS == chosen }) else { return .foreign(user) }
            let picked = PortalUser(session: session, token: token, operadoras: operadoras, current: match)
            return .found(picked, try load(picked, c))
        }
    }

    /// What ``lookUp(_:_:query:then:)`` found.
    enum Lookup<T: Sendable>: Sendable {
        case anonymous
        /// A logged-in user who asked for an operadora not of their CNPJ root.
        case foreign(PortalUser)
        case found(PortalUser, T)
    }

    static func currentUser(_ request: Request, _ env: PortalEnvironment) async throws -> PortalUser? {
        switch try await lookUp(request, env, query: [:], then: { _, _ in () }) {
        case .anonymous: return nil
        case .foreign(let user), .found(let user, _): return user
        }
    }

    /// Runs `body` for a logged-in user (else redirects to the login page). `?operadora=` may pick
    /// another operadora of the same CNPJ root; any other value answers 404.
    static func authenticated(_ request: Request, _ env: PortalEnvironment,
                              _ body: (PortalUser, [String: String]) async throws -> Response) async throws -> Response {
        try await page(request, env, load: { _, _, _ in () }, render: { user, query, _ in try await body(user, query) })
    }

    /// A page for a logged-in user: `load` reads its data on the connection that found the session,
    /// `render` makes the response (redirect to the login page without a session, 404 for another
    /// root's operadora).
    static func page<T: Sendable>(_ request: Request, _ env: PortalEnvironment,
                                  load: @escaping @Sendable (PortalUser, [String: String], PostgresConnection) throws -> T,
                                  render: (PortalUser, [String: String], T) async throws -> Response) async throws -> Response {
        let query = FormData.parse(request.uri.query ?? "")
        switch try await lookUp(request, env, query: query, then: { user, c in try load(user, query, c) }) {
        case .anonymous: return redirect("/portal/entrar")
        case .foreign(let user): return notFound(user)
        case .found(let user, let data): return try await render(user, query, data)
        }
    }

    /// The form fields of a POST, after checking its CSRF token against the session's.
    static func checkedForm(_ request: Request, user: PortalUser) async throws -> [String: String]? {
        var request = request
        let body = try await request.collectBody(upTo: maximumBody)
        let form = FormData.parse(String(buffer: body))
        guard let token = form["csrf"], constantTimeEquals(token, user.session.csrfToken) else { return nil }
        return form
    }

    // MARK: Login and logout

    static func loginPage(_ request: Request, _ env: PortalEnvironment) async throws -> Response {
        if try await currentUser(request, env) != nil { return redirect("/portal/relatorios") }
        let token = randomToken()
        var response = html(PortalPages.login(csrf: token, error: nil, root: ""))
        response.setCookie(cookie(loginCookie, token, env.policy, maxAge: 3600))
        return response
    }

    static func login(_ request: Request, _ env: PortalEnvironment) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: maximumBody)
        let form = FormData.parse(String(buffer: body))
        let root = form["cnpj_raiz"] ?? ""
        let password = form["senha"] ?? ""
        let expected = request.cookies[loginCookie]?.value
        let retry = randomToken()
        func again(_ message: String, status: HTTPResponse.Status) -> Response {
            var response = html(PortalPages.login(csrf: retry, error: message, root: root), status: status)
            response.setCookie(cookie(loginCookie, retry, env.policy, maxAge: 3600))
            return response
        }
        guard let expected, let sent = form["csrf"], constantTimeEquals(expected, sent) else {
            return again("O formulário expirou ou não veio desta página. Tente entrar novamente.", status: .forbidden)
        }
        let now = env.securityNow()
        let policy = env.policy
        let oldToken = request.cookies[sessionCookie]?.value
        let outcome: (LoginResult, String?) = try await env.database.withTransaction { c in
            let result = try PortalAccounts(policy: policy).login(root: root, password: password, now: now, on: c)
            guard result == .success, let normalized = PortalAccounts.normalizedRoot(root) else { return (result, nil) }
            // A new session id at every login; whatever session cookie came with the request is ended.
            let started = try PortalSessions.start(root: normalized, replacing: oldToken, now: now, policy: policy, on: c)
            return (result, started.token)
        }
        switch outcome {
        case (.success, let token?):
            env.logger.info("portal login", metadata: ["cnpj_root": "\(PortalAccounts.normalizedRoot(root) ?? "")"])
            var response = redirect("/portal/relatorios")
            response.setCookie(cookie(sessionCookie, token, env.policy, maxAge: Int(env.policy.sessionLifetime)))
            response.setCookie(cookie(loginCookie, "", env.policy, maxAge: 0))
            return response
        case (.locked(let until), _):
            env.logger.warning("portal login locked", metadata: ["cnpj_root": "\(PortalAccounts.normalizedRoot(root) ?? "?")"])
            return again("Acesso bloqueado temporariamente após \(env.policy.maximumFailures) tentativas sem sucesso. "
                         + "Tente novamente após \(clockTime(until)) (horário de Brasília).", status: .tooManyRequests)
        default:
            env.logger.notice("portal login failed")
            return again("Raiz de CNPJ ou senha incorretas.", status: .unauthorized)
        }
    }

    static func logout(_ request: Request, _ env: PortalEnvironment) async throws -> Response {
        guard let user = try await currentUser(request, env) else { return redirect("/portal/entrar") }
        guard try await checkedForm(request, user: user) != nil else { return forbidden(user) }
        try await env.database.withConnection { try PortalSessions.end(token: user.token, on: $0) }
        var response = redirect("/portal/entrar")
        response.setCookie(cookie(sessionCookie, "", env.policy, maxAge: 0))
        return response
    }

    // MARK: Report and ciência

    static func positionReport(_ request: Request, _ env: PortalEnvironment) async throws -> Response {
        try await authenticated(request, env) { user, _ in
            guard let form = try await checkedForm(request, user: user) else { return forbidden(user) }
            guard let operadora = user.current else { return notFound(user) }
            let today = env.today
            let text = (form["data"] ?? "").trimmingCharacters(in: .whitespaces)
            guard let date = try? CivilDate(parsing: text) else {
                return PortalPages.positionForm(user, date: text, today: today,
                                                error: "Data de referência inválida: informe uma data como \(today.brazilian).",
                                                status: .unprocessableContent)
            }
            guard date <= today else {
                return PortalPages.positionForm(
                    user, date: text, today: today,
                    error: "A data de referência \(date.brazilian) é futura. Informe hoje (\(today.brazilian)) ou uma data anterior.",
                    status: .unprocessableContent)
            }
            let (positions, selic) = try await env.database.withConnection { c in
                (try ReadModelQueries.positions(of: operadora.registroANS, asOf: date, on: c), try ReadModelQueries.selicTable(on: c))
            }
            let report = PositionReport(operadora: operadora, referenceDate: date, generatedAt: env.businessClock.now,
                                        selic: selic, positions: positions)
            let bytes = PositionReportPDF.render(report)
            return Response(status: .ok, headers: [
                .contentType: "application/pdf",
                .contentDisposition: "attachment; filename=\"posicao-financeira-\(operadora.registroANS)-\(date.description).pdf\"",
            ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    static func ciencia(_ request: Request, abi: String, _ env: PortalEnvironment) async throws -> Response {
        try await authenticated(request, env) { user, _ in
            guard try await checkedForm(request, user: user) != nil else { return forbidden(user) }
            guard let operadora = user.current, let abi = Int(abi) else { return notFound(user) }
            let today = env.today
            let now = env.businessClock.now
            let outcome = try await env.database.withTransaction { c in
                try PortalCiencia.request(abi: abi, registroANS: operadora.registroANS, cnpjRoot: user.session.cnpjRoot,
                                          today: today, now: now, on: c)
            }
            let message: String
            switch outcome {
            case .notFound: return notFound(user)
            case .requested:
                message = "Ciência da notificação da ABI \(abi) enviada em \(today.brazilian). O prazo de impugnação "
                    + "(30 dias) é confirmado pelo serviço de prazos e aparece nesta página."
            case .alreadyRegistered(let date): message = "A ciência da ABI \(abi) já foi registrada em \(date.brazilian)."
            case .alreadyRequested(let date): message = "A ciência da ABI \(abi) já foi enviada em \(date.brazilian)."
            }
            return try await PortalPages.notifications(user, message: message, env)
        }
    }

    // MARK: Responses

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func notFound(_ user: PortalUser) -> Response {
        html(HTML.page(title: "Não encontrado", user: user, content: """
            <h1>Não encontrado</h1><p>O item pedido não existe ou não pertence à sua operadora.</p>
            <p><a href="/portal/relatorios">Voltar à Central de Relatórios</a></p>
            """), status: .notFound)
    }

    static func forbidden(_ user: PortalUser) -> Response {
        html(HTML.page(title: "Formulário recusado", user: user, content: """
            <h1>Formulário recusado</h1><p>O formulário expirou ou não veio do portal. Volte à página e envie novamente.</p>
            """), status: .forbidden)
    }

    static func withSecurityHeaders(_ response: Response) -> Response {
        var response = response
        SecurityHeaderValues.apply(to: &response.headers)
        return response
    }

    static func cookie(_ name: String, _ value: String, _ policy: PortalPolicy, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/portal", secure: policy.secureCookies, httpOnly: true,
               sameSite: .strict)
    }

    static func clockTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = BusinessTimeZone.zone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
}

func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for (p, q) in zip(x, y) { difference |= p ^ q }
    return difference == 0
}

/// Security headers on every portal response: a strict Content-Security-Policy (no scripts, no
/// inline styles, no framing, forms only to the portal), X-Frame-Options, nosniff, no referrer,
/// and no caching of pages with personal data.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        SecurityHeaderValues.apply(to: &response.headers)
        return response
    }
}

enum SecurityHeaderValues {
    static func apply(to headers: inout HTTPFields) {
        headers[.init("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}

/// `application/x-www-form-urlencoded` fields (also query strings); the last value of a repeated name wins.
enum FormData {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
