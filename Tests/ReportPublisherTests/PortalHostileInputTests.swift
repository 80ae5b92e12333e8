import Foundation
import Hummingbird
import Models
@testable import ReportPublisherCore
import Testing
import TestSupport

/// The portal against odd and hostile requests (over real HTTP, real PostgreSQL): huge and odd query
/// parameters, script in fields, path traversal, oversized forms; caching and security headers on
/// every authenticated page; every route tried by operadora A with B's ids; passwords never in logs.
@Suite("Portal: hostile input and security", .serialized)
struct PortalHostileInputTests {
    typealias H = PortalHarness

    /// A status that means the request was handled (a 5xx or a dropped connection would be a bug).
    static func handled(_ page: PortalBrowser.Page, _ path: String) {
        #expect(page.status.code < 500, "\(path) answered \(page.status)")
        #expect(!page.text.contains("<script"), "\(path) echoed a script tag")
    }

    @Test("authenticated pages and the PDF are never cached; every response has the security headers")
    func cachingAndHeaders() async throws {
        try await H.run { _, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            var pages: [(String, PortalBrowser.Page)] = []
            for path in ["/portal/relatorios", "/portal/relatorios/financeiro", "/portal/relatorios/financeiro/posicao", "/portal/grus",
                         "/portal/grus/\(Events.gruNumber(1).value)", "/portal/atendimentos", "/portal/notificacoes",
                         "/portal/grus/nao-existe", "/portal/entrar"] {
                pages.append((path, try await browser.get(path)))
            }
            let csrf = try #require(pages[0].1.csrf)
            pages.append(("PDF", try await browser.post("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", H.today)])))
            pages.append(("CSRF refused", try await browser.post("/portal/notificacoes/90/ciencia", [("csrf", "x")])))
            for (path, page) in pages {
                #expect(page.headers[.cacheControl] == "no-store", "\(path): Cache-Control \(page.headers[.cacheControl] ?? "none")")
                #expect(page.headers[.init("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(page.headers[.init("X-Frame-Options")!] == "DENY", "\(path)")
                #expect(page.headers[.init("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(page.headers[.init("Referrer-Policy")!] == "no-referrer", "\(path)")
            }
            #expect(pages[0].1.status == .ok && pages.last?.1.status == .forbidden)
        }
    }

    @Test("huge, negative and odd query parameters, script in fields and path traversal never fail the server")
    func hostileURLs() async throws {
        try await H.run { _, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            let script = "%3Cscript%3Ealert(1)%3C%2Fscript%3E"
            let paths = [
                "/portal/grus?pagina=9223372036854775807", "/portal/grus?pagina=-9223372036854775808", "/portal/grus?pagina=1e99",
                "/portal/grus?pagina=abc", "/portal/grus?pagina=", "/portal/grus?pagina=1&pagina=2&pagina=%00",
                "/portal/atendimentos?pagina=9223372036854775807", "/portal/atendimentos?abi=99999999999999999999999",
                "/portal/atendimentos?abi=-1", "/portal/atendimentos?documento=\(script)", "/portal/atendimentos?tipo=\(script)",
                "/portal/atendimentos?situacao=%27%20OR%201%3D1--", "/portal/atendimentos?documento=1%27%3B%20DROP%20TABLE%20rm_grus--",
                "/portal/atendimentos?" + String(repeating: "x=1&", count: 2_000), "/portal/atendimentos?documento=" + String(repeating: "9", count: 10_000),
                "/portal/grus/\(script)", "/portal/grus/..%2F..%2F..%2Fetc%2Fpasswd", "/portal/grus/%2e%2e/%2e%2e/etc/passwd",
                "/portal/../../../etc/passwd", "/portal/grus/%00", "/portal/grus/" + String(repeating: "1", count: 5_000),
                "/portal/%ZZ", "/portal/relatorios?operadora=\(script)", "/portal/estilo.css/../../etc/passwd",
            ]
            for path in paths {
                Self.handled(try await browser.get(path), path)
            }
            let deepPage = try await browser.get("/portal/grus?pagina=9223372036854775807")
            #expect(deepPage.status == .ok && deepPage.text.contains("Nenhuma GRU emitida"), "\(deepPage.text.prefix(300))")
            let traversal = try await browser.get("/portal/grus/..%2F..%2F..%2Fetc%2Fpasswd")
            #expect(traversal.status == .notFound && !traversal.text.contains("root:"))
            let search = try await browser.get("/portal/atendimentos?documento=\(script)&tipo=\(script)")
            #expect(search.status == .ok && !search.text.contains("<script>alert"))
            // Still logged in and working after all of that.
            #expect(try await browser.get("/portal/grus").text.contains(Events.gruNumber(1).value))
        }
    }

    @Test("hostile forms: script and SQL in the login, odd dates, oversized bodies")
    func hostileForms() async throws {
        try await H.run { _, browser, _ in
            let script = "<script>alert(1)</script>"
            let login = try await browser.login(root: script, password: "' OR '1'='1")
            #expect(login.status == .unauthorized && !login.text.contains(script) && login.text.contains("&lt;script&gt;"))
            let form = try await browser.get("/portal/entrar")
            let huge = try await browser.post("/portal/entrar", [("csrf", try #require(form.csrf)), ("cnpj_raiz", H.rootA),
                                                                 ("senha", String(repeating: "x", count: 64 * 1024))])
            #expect(huge.status == .contentTooLarge, "\(huge.status)")
            #expect(browser.cookies["ressus_portal_sessao"] == nil)

            try await browser.login(root: H.rootA, password: H.passwordA)
            let page = try await browser.get("/portal/relatorios/financeiro/posicao")
            let csrf = try #require(page.csrf)
            for date in ["9999-12-31", "10000-01-01", "0000-00-00", "-1", "", script, "2026-02-30", String(repeating: "2", count: 10_000)] {
                let answer = try await browser.post("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", date)])
                #expect(answer.status == .unprocessableContent, "\(date.prefix(20)): \(answer.status)")
                #expect(!answer.text.contains(script))
            }
            let ancient = try await browser.post("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", "0001-01-01")])
            Self.handled(ancient, "posição em 0001-01-01")
            for abi in ["..%2F77", "99999999999999999999", "-90", "%3Cscript%3E"] {
                let answer = try await browser.post("/portal/notificacoes/\(abi)/ciencia", [("csrf", csrf)])
                #expect(answer.status == .notFound, "\(abi): \(answer.status)")
            }
            let tooBig = try await browser.post("/portal/notificacoes/90/ciencia", [("csrf", csrf), ("x", String(repeating: "y", count: 64 * 1024))])
            #expect(tooBig.status == .contentTooLarge, "\(tooBig.status)")
        }
    }

    @Test("operadora A tries every route with operadora B's ids and parameters")
    func everyRouteWithTheOtherOperadorasIds() async throws {
        try await H.run { _, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            let gruB = Events.gruNumber(99).value
            let gets = [
                "/portal/grus/\(gruB)", "/portal/grus/\(gruB)?operadora=\(H.registroB)", "/portal/grus?operadora=\(H.registroB)",
                "/portal/grus?pagina=1&operadora=\(H.registroA)", "/portal/atendimentos?abi=77", "/portal/atendimentos?documento=\(H.documentB)",
                "/portal/atendimentos?abi=77&documento=\(H.documentB)&situacao=notificado&tipo=AIH",
                "/portal/atendimentos?operadora=\(H.registroB)&abi=77", "/portal/notificacoes?operadora=\(H.registroB)",
                "/portal/relatorios?operadora=\(H.registroB)", "/portal/relatorios/financeiro?operadora=\(H.registroB)",
                "/portal/relatorios/financeiro/posicao?operadora=\(H.registroB)",
            ]
            for path in gets {
                let page = try await browser.get(path)
                #expect(page.status == .ok || page.status == .notFound, "\(path): \(page.status)")
                for secret in [gruB, "<td>\(H.documentB)</td>", "ABI 77", H.registroB] {
                    #expect(!page.text.contains(secret), "\(path) shows \(secret)")
                }
            }
            let csrf = try #require(try await browser.get("/portal/notificacoes").csrf)
            for (path, form) in [
                ("/portal/notificacoes/77/ciencia", [("csrf", csrf)]),
                ("/portal/notificacoes/77/ciencia?operadora=\(H.registroB)", [("csrf", csrf)]),
                ("/portal/relatorios/financeiro/posicao?operadora=\(H.registroB)", [("csrf", csrf), ("data", H.today)]),
                ("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", H.today), ("operadora", H.registroB)]),
            ] {
                let answer = try await browser.post(path, form)
                #expect(answer.status != .ok || answer.headers[.contentType] == "application/pdf", "\(path): \(answer.status)")
                if answer.headers[.contentType] == "application/pdf" {
                    let text = try await Tool.pdfText(Array(answer.body.readableBytesView)).joined(separator: "\n")
                    #expect(!text.contains(gruB) && !text.contains(H.registroB), "\(path): B's data in A's report")
                } else {
                    #expect(answer.status == .notFound, "\(path): \(answer.status)")
                }
            }
        }
    }

    @Test("passwords never appear in the logs nor in the database")
    func noPasswordsInLogs() async throws {
        let captured = LogCapture()
        try await H.run(logger: captured.logger) { fixture, browser, _ in
            let wrong = "senha-errada-que-nao-pode-vazar"
            #expect(try await browser.login(root: H.rootA, password: wrong).status == .unauthorized)
            #expect(try await browser.login(root: H.rootA, password: H.passwordA).status == .seeOther)
            #expect(try await PortalBrowser(browser.client).login(root: "00000000", password: wrong + "-2").status == .unauthorized)
            let lines = captured.lines
            #expect(lines.contains { $0.contains("portal login") }, "no login was logged: \(lines)")
            for secret in [wrong, H.passwordA, "senha-forte", wrong + "-2"] {
                #expect(!lines.contains { $0.contains(secret) }, "a password in the logs")
            }
            let stored = try await fixture.pool.withConnection { c in
                try c.query("SELECT cnpj_root || ' ' || password_hash FROM portal_accounts").map { try $0.decode(String.self, at: 0) }
            }
            #expect(stored.count == 2 && stored.allSatisfy { $0.contains("scrypt$") })
            #expect(!stored.contains { $0.contains(H.passwordA) || $0.contains(H.passwordB) })
        }
    }
}
