import Foundation
import Models
import Runtime

/// HTML building blocks of the portal: the page layout and the style sheet (escaping is
/// `HTML.escape`, in Runtime). Pages are plain server-rendered HTML (no JavaScript), in Portuguese,
/// with labelled form controls.
extension HTML {
    /// A link trail ("Você está em"), last item is the current page.
    struct Crumb {
        let title: String
        let href: String?
    }

    /// The whole page: header (operadora, logout form), main navigation, breadcrumbs, content.
    static func page(title: String, user: PortalUser?, crumbs: [Crumb] = [], content: String) -> String {
        var header = "<header class=\"topo\"><p class=\"marca\">ANS · Ressarcimento ao SUS · Portal da Operadora</p>"
        if let user {
            let name = user.current.map { "\(escape($0.razaoSocial)) · Registro ANS \(escape($0.registroANS))" }
                ?? "Raiz de CNPJ \(escape(user.session.cnpjRoot))"
            header += """
                <div class="sessao"><span>\(name)</span>
                <form method="post" action="/portal/sair">\(csrfField(user.session.csrfToken))\
                <button type="submit">Sair</button></form></div>
                """
        }
        header += "</header>"
        var nav = ""
        if user != nil {
            nav = """
                <nav aria-label="Navegação principal"><ul>
                <li><a href="/portal/relatorios">Central de Relatórios</a></li>
                <li><a href="/portal/relatorios/financeiro">Financeiro</a></li>
                <li><a href="/portal/grus">GRUs emitidas</a></li>
                <li><a href="/portal/atendimentos">Situação dos atendimentos</a></li>
                <li><a href="/portal/notificacoes">Notificações e ciência</a></li>
                </ul></nav>
                """
        }
        var trail = ""
        if !crumbs.isEmpty {
            let items = crumbs.enumerated().map { index, crumb in
                if let href = crumb.href, index < crumbs.count - 1 {
                    return "<li><a href=\"\(escape(href))\">\(escape(crumb.title))</a></li>"
                }
                return "<li aria-current=\"page\">\(escape(crumb.title))</li>"
            }
            trail = "<nav aria-label=\"Você está em\" class=\"trilha\"><ol>\(items.joined())</ol></nav>"
        }
        return """
            <!doctype html>
            <html lang="pt-BR"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) — Portal do Ressarcimento ao SUS</title>
            <link rel="stylesheet" href="/portal/estilo.css"></head>
            <body><a class="pular" href="#conteudo">Pular para o conteúdo</a>
            \(header)\(nav)\(trail)
            <main id="conteudo">\(content)</main>
            <footer><p>Agência Nacional de Saúde Suplementar — Ressarcimento ao SUS. Dúvidas: \
            <a href="mailto:ressarcimento@ans.gov.br">ressarcimento@ans.gov.br</a></p></footer>
            </body></html>
            """
    }

    static func csrfField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(token))\">"
    }

    static func error(_ message: String) -> String {
        "<p class=\"erro\" role=\"alert\" id=\"erro\">\(escape(message))</p>"
    }

    static func notice(_ message: String) -> String {
        "<p class=\"aviso\" role=\"status\">\(escape(message))</p>"
    }

    /// A table with a caption and column headers (`scope="col"`); cells are already HTML.
    static func table(caption: String, headers: [String], rows: [[String]], numericColumns: Set<Int> = []) -> String {
        // Appended into one string (a page of 50 rows has 500 cells).
        var html = "<table><caption>\(escape(caption))</caption><thead><tr>"
        html.reserveCapacity(rows.count * 400 + 512)
        for (index, title) in headers.enumerated() {
            html += numericColumns.contains(index) ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">"
            html += escape(title)
            html += "</th>"
        }
        html += "</tr></thead><tbody>"
        for (rowIndex, row) in rows.enumerated() {
            html += rowIndex == 0 ? "<tr>" : "\n<tr>"
            for (index, cell) in row.enumerated() {
                html += numericColumns.contains(index) ? "<td class=\"num\">" : "<td>"
                html += cell
                html += "</td>"
            }
            html += "</tr>"
        }
        html += "</tbody></table>"
        return html
    }

    /// The style sheet (served from /portal/estilo.css so the CSP needs no inline styles).
    static let styleSheet = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1a1a1a;background:#f6f7f9}
        .pular{position:absolute;left:-999px}.pular:focus{left:8px;top:8px;background:#fff;padding:4px}
        .topo{background:#123c69;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap}
        .marca{margin:0;font-weight:600}.sessao{display:flex;gap:12px;align-items:center}
        .sessao form{margin:0}.sessao button{background:#fff;color:#123c69;border:0;padding:6px 12px;border-radius:4px;cursor:pointer}
        nav ul{list-style:none;margin:0;padding:8px 24px;display:flex;gap:20px;flex-wrap:wrap;background:#dde6f0}
        nav a{color:#0b3a6e}.trilha ol{list-style:none;display:flex;gap:6px;margin:0;padding:8px 24px;font-size:.9em}
        .trilha li+li:before{content:"›";margin-right:6px}
        main{padding:16px 24px;max-width:1200px}h1{color:#123c69;font-size:1.5em}
        table{border-collapse:collapse;width:100%;background:#fff;margin:12px 0}caption{text-align:left;font-weight:600;padding:6px 0}
        th,td{border:1px solid #c9d3df;padding:6px 8px;text-align:left;vertical-align:top}th{background:#dde6f0}
        td.num,th.num{text-align:right;white-space:nowrap}
        form.bloco{background:#fff;padding:16px;border:1px solid #c9d3df;max-width:520px}
        label{display:block;font-weight:600;margin:10px 0 4px}input,select{font-size:1em;padding:6px;min-width:220px}
        button.principal{margin-top:14px;background:#123c69;color:#fff;border:0;padding:8px 18px;border-radius:4px;font-size:1em;cursor:pointer}
        .erro{background:#fde8e6;border:1px solid #b3261e;color:#7a1a14;padding:10px}
        .aviso{background:#e7f3e8;border:1px solid #2e7d32;padding:10px}.ajuda{color:#555;font-size:.9em}
        .cartoes{display:flex;gap:16px;flex-wrap:wrap;list-style:none;padding:0}
        .cartoes li{background:#fff;border:1px solid #c9d3df;padding:14px;min-width:260px}
        .filtros{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-end;background:#fff;padding:12px;border:1px solid #c9d3df}
        .paginas{display:flex;gap:12px;align-items:center}
        footer{padding:16px 24px;color:#555;font-size:.9em}
        """
}
