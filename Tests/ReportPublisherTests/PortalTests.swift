import Foundation
import Hummingbird
import Models
import Postgres
@testable import ReportPublisherCore
import Testing

/// The portal over real HTTP against a real PostgreSQL schema.
@Suite("Portal", .serialized)
struct PortalTests {
    typealias H = PortalHarness

    @Test("login, pages, security headers and cookies, logout")
    func loginAndLogout() async throws {
        try await H.run { _, browser, _ in
            let loginPage = try await browser.get("/portal/entrar")
            #expect(loginPage.status == .ok)
            #expect(loginPage.headers[.init("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(loginPage.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(loginPage.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(loginPage.headers[.init("Referrer-Policy")!] == "no-referrer")
            #expect(loginPage.text.contains("<label for=\"cnpj_raiz\">") && loginPage.text.contains("<label for=\"senha\">"))
            #expect(!loginPage.text.contains("<script"))

            let token = try #require(loginPage.csrf)
            let loggedIn = try await browser.post("/portal/entrar", [("csrf", token), ("cnpj_raiz", "12.abc.345"), ("senha", H.passwordA)])
            #expect(loggedIn.status == .seeOther && loggedIn.location == "/portal/relatorios")
            let sessionCookie = try #require(browser.lastSetCookies.first { $0.hasPrefix("ressus_portal_sessao=") })
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/portal"] {
                #expect(sessionCookie.contains(attribute), "session cookie lacks \(attribute): \(sessionCookie)")
            }
            let central = try await browser.get("/portal/relatorios")
            #expect(central.status == .ok)
            #expect(central.text.contains("Central de Relatórios") && central.text.contains("Saúde Exemplo Assistência Médica Ltda."))
            let financeiro = try await browser.get("/portal/relatorios/financeiro")
            #expect(financeiro.text.contains("Posição Financeira Atualizada"))
            let grus = try await browser.get("/portal/grus")
            #expect(grus.text.contains(Events.gruNumber(1).value) && grus.text.contains("GRUs emitidas (7)"))
            let gru = try await browser.get("/portal/grus/\(Events.gruNumber(4).value)")
            #expect(gru.status == .ok && gru.text.contains("pagamento parcial") && gru.text.contains("R$ 3.000,00"))

            let csrf = try #require(central.csrf)
            #expect(try await browser.post("/portal/sair", [("csrf", "errado")]).status == .forbidden)
            let out = try await browser.post("/portal/sair", [("csrf", csrf)])
            #expect(out.status == .seeOther && out.location == "/portal/entrar")
            #expect(browser.cookies["ressus_portal_sessao"] == nil)
            #expect(try await browser.get("/portal/relatorios").location == "/portal/entrar")
        }
    }

    @Test("GRU list and atendimentos: paging and filters")
    func listsPageAndFilter() async throws {
        try await H.run { _, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            // Newest first, two per page: 1 and 5, 3 and 2, 4 and 6, then 8.
            let first = try await browser.get("/portal/grus")
            #expect(first.text.contains("Página 1 de 4") && first.text.contains("rel=\"next\" href=\"/portal/grus?pagina=2\""))
            #expect(first.text.contains(Events.gruNumber(5).value) && !first.text.contains(Events.gruNumber(4).value))
            let third = try await browser.get("/portal/grus?pagina=3")
            #expect(third.text.contains(Events.gruNumber(4).value) && third.text.contains(Events.gruNumber(6).value))
            let last = try await browser.get("/portal/grus?pagina=4")
            #expect(last.text.contains("Página 4 de 4") && last.text.contains(Events.gruNumber(8).value))
            #expect(!last.text.contains(Events.gruNumber(1).value) && !last.text.contains("rel=\"next\""))
            let all = try await browser.get("/portal/atendimentos")
            #expect(all.text.contains("<td>3500000000011</td>") && all.text.contains("Notificado"))
            #expect(try await browser.get("/portal/atendimentos?situacao=notificado&tipo=AIH&abi=90").text.contains("<td>3500000000011</td>"))
            #expect(!(try await browser.get("/portal/atendimentos?situacao=pago")).text.contains("<td>3500000000011</td>"))
            #expect(!(try await browser.get("/portal/atendimentos?tipo=APAC")).text.contains("<td>3500000000011</td>"))
            let filtered = try await browser.get("/portal/atendimentos?situacao=pago")
            #expect(filtered.text.contains("<option value=\"pago\" selected>"))
        }
    }

    @Test("forms without the right CSRF token are refused")
    func csrf() async throws {
        try await H.run { _, browser, _ in
            // Login without the login page's cookie/token (e.g. a form posted from another site).
            let forged = try await browser.post("/portal/entrar", [("csrf", "x"), ("cnpj_raiz", H.rootA), ("senha", H.passwordA)])
            #expect(forged.status == .forbidden)
            #expect(browser.cookies["ressus_portal_sessao"] == nil)
            try await browser.login(root: H.rootA, password: H.passwordA)
            let missing = try await browser.post("/portal/relatorios/financeiro/posicao", [("data", H.today)])
            #expect(missing.status == .forbidden)
            #expect(missing.headers[.contentType]?.hasPrefix("text/html") == true)
            let wrong = try await browser.post("/portal/notificacoes/90/ciencia", [("csrf", "token-de-outro-site")])
            #expect(wrong.status == .forbidden)
        }
    }

    @Test("a session id planted before login is never promoted; login rotates the session")
    func sessionFixation() async throws {
        try await H.run { fixture, browser, _ in
            browser.cookies["ressus_portal_sessao"] = "token-escolhido-pelo-atacante"
            try await browser.login(root: H.rootA, password: H.passwordA)
            let first = try #require(browser.cookies["ressus_portal_sessao"])
            #expect(first != "token-escolhido-pelo-atacante")
            #expect(first.count >= 43)
            // Logging in again while sending the first session's cookie issues a new id and ends the old one.
            browser.cookies["ressus_portal_sessao"] = nil
            let form = try await browser.get("/portal/entrar")
            browser.cookies["ressus_portal_sessao"] = first
            let again = try await browser.post("/portal/entrar", [("csrf", try #require(form.csrf)), ("cnpj_raiz", H.rootA),
                                                                   ("senha", H.passwordA)])
            #expect(again.status == .seeOther)
            let second = try #require(browser.cookies["ressus_portal_sessao"])
            #expect(second != first)
            browser.cookies["ressus_portal_sessao"] = first
            #expect(try await browser.get("/portal/relatorios").location == "/portal/entrar")
            // The database keeps only hashes of session ids.
            let stored = try await fixture.pool.withConnection { c in
                try c.query("SELECT token_hash FROM portal_sessions").map { try $0.decode(String.self, at: 0) }
            }
            #expect(!stored.contains(second) && stored.count == 1)
        }
    }

    @Test("repeated failures lock the account, even for the right password, until reset")
    func lockout() async throws {
        try await H.run { fixture, browser, _ in
            let wrong = try await browser.login(root: H.rootA, password: "senha-errada-1")
            #expect(wrong.status == .unauthorized && wrong.text.contains("Raiz de CNPJ ou senha incorretas"))
            // An unknown root gets the same answer (no account enumeration).
            let unknown = try await browser.login(root: "00000000", password: "qualquer-coisa")
            #expect(unknown.status == .unauthorized && unknown.text.contains("Raiz de CNPJ ou senha incorretas"))
            _ = try await browser.login(root: H.rootA, password: "senha-errada-2")
            let locked = try await browser.login(root: H.rootA, password: "senha-errada-3")
            #expect(locked.status == .tooManyRequests && locked.text.contains("bloqueado"))
            let right = try await browser.login(root: H.rootA, password: H.passwordA)
            #expect(right.status == .tooManyRequests)
            #expect(browser.cookies["ressus_portal_sessao"] == nil)
            // Operadora B is not affected.
            #expect(try await PortalBrowser(browser.client).login(root: H.rootB, password: H.passwordB).status == .seeOther)
            // The operator resets A's password: unlocked.
            try await fixture.pool.withTransaction { try PortalAccounts().resetPassword(root: H.rootA, password: "nova-senha-forte-A", on: $0) }
            #expect(try await browser.login(root: H.rootA, password: "nova-senha-forte-A").status == .seeOther)
        }
    }

    @Test("sessions end after their lifetime; a lock ends after its duration")
    func expiry() async throws {
        let clock = PortalHarness.SecurityClock()
        try await H.run(securityClock: clock) { fixture, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            #expect(try await browser.get("/portal/relatorios").status == .ok)
            clock.advance(PortalPolicy().sessionLifetime + 60)
            #expect(try await browser.get("/portal/relatorios").location == "/portal/entrar")
            let sessions = try await fixture.pool.withConnection { try $0.query("SELECT count(*) FROM portal_sessions")[0].decode(Int.self, at: 0) }
            #expect(sessions == 0, "the expired session is deleted")

            let other = PortalBrowser(browser.client)
            for attempt in 1...3 { _ = try await other.login(root: H.rootB, password: "errada-\(attempt)") }
            #expect(try await other.login(root: H.rootB, password: H.passwordB).status == .tooManyRequests)
            clock.advance(PortalPolicy().lockDuration + 60)
            #expect(try await other.login(root: H.rootB, password: H.passwordB).status == .seeOther)
        }
    }

    @Test("Posição Financeira: future date refused, today gives the PDF")
    func positionReport() async throws {
        try await H.run { _, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            let form = try await browser.get("/portal/relatorios/financeiro/posicao")
            #expect(form.text.contains("value=\"\(H.today)\"") && form.text.contains("Gerar Relatório"))
            let csrf = try #require(form.csrf)
            let future = try await browser.post("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", "2026-04-01")])
            #expect(future.status == .unprocessableContent)
            #expect(future.text.contains("A data de referência 01/04/2026 é futura"))
            let invalid = try await browser.post("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", "31/02/2026")])
            #expect(invalid.status == .unprocessableContent && invalid.text.contains("inválida"))
            let pdf = try await browser.post("/portal/relatorios/financeiro/posicao", [("csrf", csrf), ("data", H.today)])
            #expect(pdf.status == .ok)
            #expect(pdf.headers[.contentType] == "application/pdf")
            let bytes = Array(pdf.body.readableBytesView)
            #expect(bytes.starts(with: Array("%PDF-".utf8)))
            let text = try await Tool.pdfText(bytes).joined(separator: "\n")
            #expect(text.contains("Data de referência: 31/03/2026"))
            let hand = Hand.charges(principal: 2_000_000, due: Events.date("2026-01-30"), asOf: Events.date(H.today))
            #expect(text.contains(Hand.brl(hand.total)))
            #expect(!text.contains(Events.gruNumber(99).value), "operadora B's GRU in A's report")
        }
    }

    @Test("operadora A never sees operadora B's data, whatever it asks")
    func tenantIsolation() async throws {
        try await H.run { _, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            let gruB = Events.gruNumber(99).value
            #expect(try await browser.get("/portal/grus/\(gruB)").status == .notFound)
            #expect(try await browser.get("/portal/grus/%27%20OR%201=1--").status == .notFound)
            #expect(try await browser.get("/portal/grus?operadora=\(H.registroB)").status == .notFound)
            #expect(try await browser.get("/portal/atendimentos?operadora=\(H.registroB)").status == .notFound)
            #expect(try await browser.get("/portal/relatorios?operadora=\(H.registroB)").status == .notFound)
            let list = try await browser.get("/portal/grus?pagina=1")
            #expect(!list.text.contains(gruB))
            let search = try await browser.get("/portal/atendimentos?documento=\(H.documentB)")
            #expect(search.status == .ok && search.text.contains("Nenhum atendimento encontrado"))
            #expect(!search.text.contains("<td>\(H.documentB)</td>"))
            let byABI = try await browser.get("/portal/atendimentos?abi=77")
            #expect(!byABI.text.contains(H.documentB) && byABI.text.contains("Nenhum atendimento encontrado"))
            #expect(try await browser.get("/portal/atendimentos").text.contains("<td>3500000000011</td>"))
            let notifications = try await browser.get("/portal/notificacoes")
            #expect(!notifications.text.contains("ABI 77"))
            let csrf = try #require(notifications.csrf)
            #expect(try await browser.post("/portal/notificacoes/77/ciencia", [("csrf", csrf)]).status == .notFound)
            let pdf = try await browser.post("/portal/relatorios/financeiro/posicao?operadora=\(H.registroB)",
                                             [("csrf", csrf), ("data", H.today)])
            #expect(pdf.status == .notFound)
            // B's own session cannot be used with A's CSRF token either.
            let other = PortalBrowser(browser.client)
            try await other.login(root: H.rootB, password: H.passwordB)
            #expect(try await other.post("/portal/notificacoes/77/ciencia", [("csrf", csrf)]).status == .forbidden)
            #expect(try await other.get("/portal/grus/\(Events.gruNumber(1).value)").status == .notFound)
        }
    }

    @Test("ciência in the portal: recorded and published through the outbox for the deadlines service")
    func ciencia() async throws {
        try await H.run { fixture, browser, _ in
            try await browser.login(root: H.rootA, password: H.passwordA)
            let page = try await browser.get("/portal/notificacoes")
            #expect(page.text.contains("Dar ciência"))
            let csrf = try #require(page.csrf)
            let sent = try await browser.post("/portal/notificacoes/90/ciencia", [("csrf", csrf)])
            #expect(sent.status == .ok && sent.text.contains("Ciência da notificação da ABI 90 enviada em 31/03/2026"))
            #expect(sent.text.contains("Enviada pelo portal em 31/03/2026"))
            let again = try await browser.post("/portal/notificacoes/90/ciencia", [("csrf", csrf)])
            #expect(again.text.contains("já foi enviada"))
            let rows = try await fixture.pool.withConnection { c in
                try c.query("SELECT topic, event_type, convert_from(payload, 'UTF8') FROM outbox").map {
                    (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2))
                }
            }
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row.0 == Topics.portalRequests.name)
            #expect(row.1.contains("portal.ciencia-requested"))
            let event = try JSONDecoder().decode(PortalCienciaRequested.self, from: Data(row.2.utf8))
            #expect(event.abi.value == 90 && event.registroANS.value == H.registroA && event.requestedOn == Events.date(H.today))
        }
    }
}

/// The portal in a real browser (headless Chromium): login → Central de Relatórios → Financeiro →
/// Posição Financeira Atualizada (future date refused, then the PDF downloaded) → logout, with a
/// screenshot of each page.
@Suite("Portal in Chromium", .serialized)
struct PortalBrowserTests {
    @Test("login → Financeiro → report in headless Chromium")
    func journey() async throws {
        try await PortalHarness.run(secureCookies: false) { _, _, port in
            let port = try #require(port)
            let (log, folder) = try await ChromiumDriver.journey(
                port: port, root: PortalHarness.rootA, password: PortalHarness.passwordA, today: PortalHarness.today,
                future: "2026-04-01")
            defer { try? FileManager.default.removeItem(at: folder) }
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            for step in ["1-login", "2-central-de-relatorios", "3-financeiro", "4-posicao-financeira", "5-data-futura-recusada", "6-saiu"] {
                #expect(files.contains("\(step).png"), "no screenshot of \(step):\n\(log)")
                let size = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("\(step).png").path)[.size] as? Int) ?? 0
                #expect(size > 5_000, "screenshot of \(step) is empty")
            }
            #expect(log.contains("é futura"))
            let pdf = try #require(files.first { $0.hasSuffix(".pdf") }, "no PDF downloaded:\n\(log)")
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(pdf)))
            let text = try await Tool.pdfText(bytes).joined(separator: "\n")
            #expect(text.contains("Posição Financeira Atualizada") && text.contains("Data de referência: 31/03/2026"))
            // Keep the screenshots for people to look at when asked to.
            if let keep = ProcessInfo.processInfo.environment["RESSUS_PORTAL_SCREENSHOTS"] {
                try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
                for file in files where file.hasSuffix(".png") || file.hasSuffix(".pdf") {
                    try? FileManager.default.removeItem(atPath: keep + "/" + file)
                    try? FileManager.default.copyItem(atPath: folder.appendingPathComponent(file).path, toPath: keep + "/" + file)
                }
            }
        }
    }
}
