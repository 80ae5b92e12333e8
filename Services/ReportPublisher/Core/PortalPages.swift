import Foundation
import Hummingbird
import Models
import Postgres
import Runtime

/// The portal's pages (HTML in Portuguese).
enum PortalPages {
    typealias Crumb = HTML.Crumb
    static let central = Crumb(title: "Central de Relatórios", href: "/portal/relatorios")
    static let financeiroCrumb = Crumb(title: "Financeiro", href: "/portal/relatorios/financeiro")

    static func login(csrf: String, error: String?, root: String) -> String {
        HTML.page(title: "Entrar", user: nil, content: """
            <h1>Entrar no Portal da Operadora</h1>
            \(error.map(HTML.error) ?? "")
            <form class="bloco" method="post" action="/portal/entrar">
            \(HTML.csrfField(csrf))
            <label for="cnpj_raiz">Raiz do CNPJ (8 caracteres)</label>
            <input id="cnpj_raiz" name="cnpj_raiz" type="text" required minlength="8" maxlength="10" \
            autocomplete="username" value="\(HTML.escape(root))" aria-describedby="ajuda-cnpj">
            <p class="ajuda" id="ajuda-cnpj">Os 8 primeiros caracteres do CNPJ da operadora (números ou letras).</p>
            <label for="senha">Senha</label>
            <input id="senha" name="senha" type="password" required autocomplete="current-password">
            <button class="principal" type="submit">Entrar</button>
            </form>
            <p class="ajuda">Contas de acesso são criadas pela ANS. Para obter ou redefinir a senha, escreva para \
            <a href="mailto:ressarcimento@ans.gov.br">ressarcimento@ans.gov.br</a>.</p>
            """)
    }

    static func central(_ user: PortalUser) -> Response {
        Portal.html(HTML.page(title: "Central de Relatórios", user: user, crumbs: [Crumb(title: "Central de Relatórios", href: nil)], content: """
            <h1>Central de Relatórios</h1>
            \(operadoraMissing(user))
            <ul class="cartoes">
            <li><h2><a href="/portal/relatorios/financeiro">Financeiro</a></h2>
            <p>Posição Financeira Atualizada (PDF) e GRUs emitidas.</p></li>
            <li><h2><a href="/portal/atendimentos">Situação dos atendimentos</a></h2>
            <p>Atendimentos AIH e APAC notificados e a situação de cada um.</p></li>
            <li><h2><a href="/portal/notificacoes">Notificações e ciência</a></h2>
            <p>Ofícios ABI recebidos, ciência e prazo de impugnação.</p></li>
            </ul>
            """))
    }

    static func financeiro(_ user: PortalUser) -> Response {
        Portal.html(HTML.page(title: "Financeiro", user: user, crumbs: [central, Crumb(title: "Financeiro", href: nil)], content: """
            <h1>Financeiro</h1>
            <ul class="cartoes">
            <li><h2><a href="/portal/relatorios/financeiro/posicao">Posição Financeira Atualizada</a></h2>
            <p>Todas as GRUs com valores originais e, para as em aberto, multa e juros atualizados até a data escolhida (PDF).</p></li>
            <li><h2><a href="/portal/grus">GRUs emitidas</a></h2><p>Lista das GRUs com situação e valores.</p></li>
            </ul>
            """))
    }

    static func positionForm(_ user: PortalUser, date: String, today: CivilDate, error: String? = nil,
                             status: HTTPResponse.Status = .ok) -> Response {
        Portal.html(positionFormHTML(user, date: date, today: today, error: error), status: status)
    }

    static func positionFormHTML(_ user: PortalUser, date: String, today: CivilDate, error: String?) -> String {
        HTML.page(title: "Posição Financeira Atualizada", user: user,
                  crumbs: [central, financeiroCrumb, Crumb(title: "Posição Financeira Atualizada", href: nil)], content: """
            <h1>Posição Financeira Atualizada</h1>
            \(error.map(HTML.error) ?? "")
            <form class="bloco" method="post" action="/portal/relatorios/financeiro/posicao">
            \(HTML.csrfField(user.session.csrfToken))
            <label for="data">Data de referência</label>
            <input id="data" name="data" type="date" required max="\(today.description)" value="\(HTML.escape(date))" \
            aria-describedby="ajuda-data"\(error == nil ? "" : " aria-invalid=\"true\"")>
            <p class="ajuda" id="ajuda-data">Hoje (\(today.brazilian)) ou uma data anterior. Os acréscimos das GRUs em aberto \
            são calculados até esta data.</p>
            <button class="principal" type="submit">Gerar Relatório</button>
            </form>
            """)
    }

    /// A page of the GRUs emitidas list: its number, rows and the total.
    struct GRUList: Sendable {
        let page: Int
        let pageSize: Int
        let rows: [GRUView]
        let total: Int
    }

    static func loadGRUs(_ user: PortalUser, query: [String: String], policy: PortalPolicy, on c: PostgresConnection) throws -> GRUList? {
        guard let operadora = user.current else { return nil }
        let page = policy.page(query["pagina"])
        let (rows, total) = try ReadModelQueries.gruPage(of: operadora.registroANS, limit: policy.pageSize,
                                                         offset: (page - 1) * policy.pageSize, on: c)
        return GRUList(page: page, pageSize: policy.pageSize, rows: rows, total: total)
    }

    static func grus(_ user: PortalUser, query: [String: String], list: GRUList?) -> Response {
        guard let list else { return Portal.html(HTML.page(title: "GRUs emitidas", user: user, content: operadoraMissing(user))) }
        let (grus, total, page, pageSize) = (list.rows, list.total, list.page, list.pageSize)
        let rows = grus.map { g in
            ["<a href=\"/portal/grus/\(g.number)\">\(g.number)</a>", HTML.escape(g.abis), g.issuedOn.brazilian,
             g.dueDate.brazilian, g.principal.formatted, g.amount.formatted, HTML.escape(g.state.titulo),
             g.openPrincipal.formatted, g.paidTotal.formatted]
        }
        let table = rows.isEmpty ? "<p>Nenhuma GRU emitida.</p>" : HTML.table(
            caption: "GRUs emitidas (\(total))",
            headers: ["GRU", "ABI", "Emissão", "Vencimento", "Valor original", "Valor da GRU", "Situação",
                      "Principal em aberto", "Pago"],
            rows: rows, numericColumns: [4, 5, 7, 8])
        return Portal.html(HTML.page(title: "GRUs emitidas", user: user,
                                     crumbs: [central, financeiroCrumb, Crumb(title: "GRUs emitidas", href: nil)], content: """
            <h1>GRUs emitidas</h1>
            <p>Valores na data de hoje; multa e juros atualizados estão na \
            <a href="/portal/relatorios/financeiro/posicao">Posição Financeira Atualizada</a>.</p>
            \(table)\(pager(path: "/portal/grus", query: [:], page: page, pageSize: pageSize, total: total))
            """))
    }

    static func gru(_ user: PortalUser, number: String, _ env: PortalEnvironment) async throws -> Response {
        guard let operadora = user.current else { return Portal.notFound(user) }
        let found = try await env.database.withConnection { c -> (GRUView, [GRUHistoryEntry])? in
            guard let gru = try ReadModelQueries.gru(number, of: operadora.registroANS, on: c) else { return nil }
            return (gru, try ReadModelQueries.history(of: number, registro: operadora.registroANS, on: c))
        }
        guard let (gru, history) = found else { return Portal.notFound(user) }
        let rows = history.map { h in
            [h.effectiveOn.brazilian, HTML.escape(h.state.titulo), h.openPrincipal.formatted,
             h.paidTotal.formatted, HTML.escape(h.reason)]
        }
        var details: [(String, String)] = [
            ("Situação", gru.state.titulo), ("ABI", gru.abis), ("Emissão", gru.issuedOn.brazilian),
            ("Vencimento", gru.dueDate.brazilian), ("Acréscimos desde", gru.accrualDate.brazilian),
            ("Valor original", gru.principal.formatted), ("Valor da GRU", gru.amount.formatted),
            ("Principal em aberto", gru.openPrincipal.formatted), ("Pago", gru.paidTotal.formatted),
            ("Linha digitável", gru.linhaDigitavel), ("Contato", gru.state.contactEmail),
        ]
        if let r = gru.replaces { details.append(("Substitui a GRU", r)) }
        if let r = gru.replacedBy { details.append(("Substituída pela GRU", r)) }
        if let p = gru.courtProcess { details.append(("Processo judicial", p)) }
        if gru.credit > .zero { details.append(("Crédito", gru.credit.formatted)) }
        let list = details.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined()
        return Portal.html(HTML.page(title: "GRU \(gru.number)", user: user,
                                     crumbs: [central, financeiroCrumb, Crumb(title: "GRUs emitidas", href: "/portal/grus"),
                                              Crumb(title: "GRU \(gru.number)", href: nil)], content: """
            <h1>GRU \(gru.number)</h1><dl>\(list)</dl>
            \(HTML.table(caption: "Histórico", headers: ["Data", "Situação", "Principal em aberto", "Pago", "Motivo"],
                         rows: rows, numericColumns: [2, 3]))
            """))
    }

    /// A page of the Situação dos atendimentos list with the filters it was asked with.
    struct AtendimentoList: Sendable {
        let filter: AtendimentoFilter
        let page: Int
        let pageSize: Int
        let rows: [AtendimentoView]
        let total: Int
    }

    static func loadAtendimentos(_ user: PortalUser, query: [String: String], policy: PortalPolicy,
                                 on c: PostgresConnection) throws -> AtendimentoList? {
        guard let operadora = user.current else { return nil }
        let page = policy.page(query["pagina"])
        let kind = ["AIH", "APAC"].contains(query["tipo"] ?? "") ? query["tipo"] : nil
        let documentText = (query["documento"] ?? "").filter(\.isNumber)
        let filter = AtendimentoFilter(abi: Int(query["abi"] ?? ""), kind: kind,
                                       situation: AtendimentoSituation(rawValue: query["situacao"] ?? ""),
                                       document: documentText.isEmpty ? nil : documentText)
        let (rows, total) = try ReadModelQueries.atendimentos(of: operadora.registroANS, filter: filter, limit: policy.pageSize,
                                                              offset: (page - 1) * policy.pageSize, on: c)
        return AtendimentoList(filter: filter, page: page, pageSize: policy.pageSize, rows: rows, total: total)
    }

    static func atendimentos(_ user: PortalUser, query: [String: String], list: AtendimentoList?) -> Response {
        guard let list else { return Portal.html(HTML.page(title: "Situação dos atendimentos", user: user, content: operadoraMissing(user))) }
        let (rows, total, page, pageSize) = (list.rows, list.total, list.page, list.pageSize)
        let (abi, kind, situation, document) = (list.filter.abi, list.filter.kind, list.filter.situation, list.filter.document)
        let cells = rows.map { a in
            [HTML.escape(a.document), a.kind ?? "–", "\(a.abi)", HTML.escape(a.competencia ?? "–"), a.careStart?.brazilian ?? "–",
             HTML.escape(a.procedure ?? "–"), a.amount?.formatted ?? "–", a.finalAmount?.formatted ?? "–",
             HTML.escape(a.situation.rotulo) + (a.note.map { "<br><span class=\"ajuda\">\(HTML.escape($0))</span>" } ?? ""),
             a.gruNumber.map { "<a href=\"/portal/grus/\($0)\">\($0)</a>" } ?? "–"]
        }
        func option(_ value: String, _ label: String, selected: Bool) -> String {
            "<option value=\"\(value)\"\(selected ? " selected" : "")>\(HTML.escape(label))</option>"
        }
        let situations = [option("", "Todas", selected: situation == nil)]
            + AtendimentoSituation.allCases.map { option($0.rawValue, $0.rotulo, selected: $0 == situation) }
        let kinds = [option("", "Todos", selected: kind == nil), option("AIH", "AIH", selected: kind == "AIH"),
                     option("APAC", "APAC", selected: kind == "APAC")]
        var kept: [String: String] = [:]
        if let abi { kept["abi"] = String(abi) }
        if let kind { kept["tipo"] = kind }
        if let situation { kept["situacao"] = situation.rawValue }
        if let document { kept["documento"] = document }
        let table = cells.isEmpty ? "<p>Nenhum atendimento encontrado com estes filtros.</p>" : HTML.table(
            caption: "Atendimentos (\(total))",
            headers: ["Documento SUS", "Tipo", "ABI", "Competência", "Início", "Procedimento", "Valor a ressarcir",
                      "Valor final", "Situação", "GRU"],
            rows: cells, numericColumns: [6, 7])
        return Portal.html(HTML.page(title: "Situação dos atendimentos", user: user,
                                     crumbs: [central, Crumb(title: "Situação dos atendimentos", href: nil)], content: """
            <h1>Situação dos atendimentos</h1>
            <form class="filtros" method="get" action="/portal/atendimentos" aria-label="Filtros">
            <div><label for="abi">ABI</label><input id="abi" name="abi" type="number" min="1" value="\(abi.map(String.init) ?? "")"></div>
            <div><label for="tipo">Tipo</label><select id="tipo" name="tipo">\(kinds.joined())</select></div>
            <div><label for="situacao">Situação</label><select id="situacao" name="situacao">\(situations.joined())</select></div>
            <div><label for="documento">Documento SUS</label><input id="documento" name="documento" type="text" \
            inputmode="numeric" maxlength="13" value="\(HTML.escape(document ?? ""))"></div>
            <div><button class="principal" type="submit">Filtrar</button></div>
            </form>
            \(table)\(pager(path: "/portal/atendimentos", query: kept, page: page, pageSize: pageSize, total: total))
            """))
    }

    static func notifications(_ user: PortalUser, message: String?, _ env: PortalEnvironment) async throws -> Response {
        guard let operadora = user.current else { return Portal.html(HTML.page(title: "Notificações", user: user, content: operadoraMissing(user))) }
        let list = try await env.database.withConnection { c in
            try ReadModelQueries.notifications(of: operadora.registroANS, on: c)
        }
        let rows = list.map { n -> [String] in
            let ciencia: String
            if let on = n.cienciaOn {
                ciencia = "\(on.brazilian) (\(n.cienciaKind == "tacita" ? "tácita" : "expressa"))"
            } else if let requested = n.portalCienciaOn {
                ciencia = "Enviada pelo portal em \(requested.brazilian); aguardando registro"
            } else {
                ciencia = """
                    <form method="post" action="/portal/notificacoes/\(n.abi)/ciencia">\(HTML.csrfField(user.session.csrfToken))\
                    <button type="submit" aria-label="Dar ciência da notificação da ABI \(n.abi)">Dar ciência</button></form>
                    """
            }
            return ["ABI \(n.abi)", n.availableOn?.brazilian ?? "–", n.atendimentoCount.map(String.init) ?? "–",
                    n.total?.formatted ?? "–", ciencia, n.impugnacaoWindowEnd?.brazilian ?? "–"]
        }
        let table = rows.isEmpty ? "<p>Nenhuma notificação recebida.</p>" : HTML.table(
            caption: "Notificações (Ofícios ABI)",
            headers: ["Notificação", "Disponibilizada em", "Atendimentos", "Valor a ressarcir", "Ciência", "Prazo de impugnação até"],
            rows: rows, numericColumns: [2, 3])
        return Portal.html(HTML.page(title: "Notificações e ciência", user: user,
                                     crumbs: [central, Crumb(title: "Notificações e ciência", href: nil)], content: """
            <h1>Notificações e ciência</h1>
            \(message.map(HTML.notice) ?? "")
            <p>Sem ciência expressa, a ciência é tácita 10 dias após a disponibilização (RN 377/2015). O prazo de \
            impugnação (30 dias) conta da ciência.</p>
            \(table)
            """))
    }

    static func pager(path: String, query: [String: String], page: Int, pageSize: Int, total: Int) -> String {
        let pages = max(1, (total + pageSize - 1) / pageSize)
        guard pages > 1 else { return "" }
        func link(_ target: Int, _ label: String, rel: String) -> String {
            var items = query
            items["pagina"] = String(target)
            let text = items.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&amp;")
            return "<a rel=\"\(rel)\" href=\"\(path)?\(text)\">\(label)</a>"
        }
        return "<nav class=\"paginas\" aria-label=\"Páginas\">"
            + (page > 1 ? link(page - 1, "Página anterior", rel: "prev") : "")
            + "<span>Página \(page) de \(pages)</span>"
            + (page < pages ? link(page + 1, "Próxima página", rel: "next") : "")
            + "</nav>"
    }

    static func operadoraMissing(_ user: PortalUser) -> String {
        user.current == nil
            ? HTML.notice("Ainda não há operadora registrada para a raiz de CNPJ \(user.session.cnpjRoot). Os dados aparecem quando o registro chegar.")
            : ""
    }

    static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
}
