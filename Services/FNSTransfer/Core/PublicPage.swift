import Foundation
import Models
import Postgres
import Runtime

/// What the public page shows: the Dados Gerais and the demonstrativo of every collection month.
public struct PublicFigures: Sendable, Hashable, Codable {
    public var dadosGerais: DadosGerais
    public var demonstrativos: [Demonstrativo]
    /// The business date the figures are as of.
    public var asOf: CivilDate

    public init(dadosGerais: DadosGerais, demonstrativos: [Demonstrativo], asOf: CivilDate) {
        self.dadosGerais = dadosGerais
        self.demonstrativos = demonstrativos
        self.asOf = asOf
    }

    /// Reads the figures from the FNS schema.
    public static func load(asOf: CivilDate, settings: FNSSettings = .standard,
                            on connection: PostgresConnection) throws -> PublicFigures {
        let months = try FNSReports.collectionMonths(on: connection)
        return PublicFigures(
            dadosGerais: try FNSReports.dadosGerais(on: connection),
            demonstrativos: try months.map { try FNSReports.demonstrativo(month: $0, settings: settings, on: connection) },
            asOf: asOf)
    }
}

/// The public page "Dados Gerais do Ressarcimento ao SUS" (Portuguese, server-rendered, no scripts)
/// and its CSV downloads.
public enum PublicPage {
    /// The page's HTML document.
    public static func html(_ figures: PublicFigures) -> String {
        let overall = figures.dadosGerais.overall
        let funnel = SVGChart.horizontalBars(id: "grafico-funil", title: "Do identificado ao repassado (valores)", bars: [
            .init(label: "Identificado", value: overall.identified.amount),
            .init(label: "Cobrado", value: overall.charged.amount),
            .init(label: "Pago (principal)", value: overall.paid.amount),
            .init(label: "Repassado ao FNS (com multa e juros)", value: overall.transferred.amount),
        ])
        let monthly = SVGChart.groupedColumns(
            id: "grafico-mensal", title: "Arrecadação e repasse ao FNS por mês de arrecadação",
            series: [.init(name: "Arrecadado", colour: "#1351b4"), .init(name: "Repassado", colour: "#168821"),
                     .init(name: "Pendente", colour: "#e52207")],
            groups: figures.demonstrativos.map { ($0.collectionMonth.brazilian, [$0.collected.total, $0.transferred.total, $0.pending.total]) })
        return """
            <!DOCTYPE html>
            <html lang="pt-BR">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Dados Gerais do Ressarcimento ao SUS</title>
            <link rel="stylesheet" href="/publico/estilo.css">
            </head>
            <body>
            <a class="pular" href="#conteudo">Ir para o conteúdo</a>
            <header>
            <p class="orgao">Agência Nacional de Saúde Suplementar</p>
            <h1>Dados Gerais do Ressarcimento ao SUS</h1>
            <p>Posição em <time datetime="\(figures.asOf)">\(figures.asOf.brazilian)</time>. Valores em reais.</p>
            </header>
            <main id="conteudo">
            <section aria-labelledby="titulo-resumo">
            <h2 id="titulo-resumo">Resumo</h2>
            <p class="indice">Índice de adimplência: <strong>\(overall.indiceAdimplenciaText)</strong>
            <span class="nota">(pagos + parcelados) ÷ cobrados × 100</span></p>
            \(summaryTable(figures.dadosGerais))
            </section>
            <section aria-labelledby="titulo-funil">
            <h2 id="titulo-funil">Funil: identificado, cobrado, pago, repassado</h2>
            <figure>\(funnel)
            <figcaption>Valores acumulados desde o início da série. Pago: principal das GRUs de cobrança pagas \
            (parcelas de parcelamento não incluídas); repassado: tudo o que foi arrecadado e transferido, com multa e juros.</figcaption></figure>
            </section>
            <section aria-labelledby="titulo-mensal">
            <h2 id="titulo-mensal">Demonstrativo de repasse ao Fundo Nacional de Saúde</h2>
            <figure>\(monthly)
            <figcaption>Pagamentos liquidados por mês de arrecadação e o que deles já foi repassado.</figcaption></figure>
            \(demonstrativoTable(figures.demonstrativos))
            </section>
            <section aria-labelledby="titulo-baixar">
            <h2 id="titulo-baixar">Dados abertos</h2>
            <ul>
            <li><a href="/publico/dados-gerais.csv" download>Dados gerais por ano (CSV)</a></li>
            <li><a href="/publico/demonstrativo-repasse.csv" download>Demonstrativo de repasse por mês (CSV)</a></li>
            </ul>
            <p class="nota">CSV separado por ponto e vírgula, valores com vírgula decimal, codificação UTF-8.</p>
            </section>
            </main>
            <footer><p>Ressarcimento ao SUS - Lei 9.656/1998, art. 32. Os valores arrecadados pertencem ao Fundo Nacional de Saúde.</p></footer>
            </body>
            </html>

            """
    }

    private static func summaryTable(_ dados: DadosGerais) -> String {
        let years = dados.years
        var html = """
            <div class="tabela"><table>
            <caption>Indicadores por ano e no total (quantidade e valor)</caption>
            <thead><tr><th scope="col">Indicador</th>
            """
        for year in years { html += "<th scope=\"col\">\(year.year)</th>" }
        html += "<th scope=\"col\">Total</th></tr></thead>\n<tbody>\n"
        for measure in DadosGeraisFigures.Measure.allCases {
            html += "<tr><th scope=\"row\">\(HTML.escape(measure.rotulo))</th>"
            for figures in years.map(\.figures) + [dados.overall] {
                let value = figures[measure]
                html += "<td>\(value.amount.formatted)<br><span class=\"nota\">\(value.count) \(measure.unidade)</span></td>"
            }
            html += "</tr>\n"
        }
        html += "<tr><th scope=\"row\">Índice de adimplência</th>"
        for figures in years.map(\.figures) + [dados.overall] { html += "<td>\(figures.indiceAdimplenciaText)</td>" }
        return html + "</tr>\n</tbody></table></div>"
    }

    private static func demonstrativoTable(_ months: [Demonstrativo]) -> String {
        var html = """
            <div class="tabela"><table>
            <caption>Repasses por mês de arrecadação</caption>
            <thead><tr><th scope="col">Mês de arrecadação</th><th scope="col">Arrecadado</th><th scope="col">Principal</th>
            <th scope="col">Multa</th><th scope="col">Juros</th><th scope="col">Repassado</th>
            <th scope="col">Data do repasse</th><th scope="col">Pendente</th></tr></thead>
            <tbody>

            """
        if months.isEmpty { html += "<tr><td colspan=\"8\">Nenhum pagamento liquidado até o momento.</td></tr>\n" }
        for month in months {
            let dates = month.repasses.map { "\($0.transferredOn.brazilian)\($0.kind == .complementary ? " (complementar)" : "")" }
            html += "<tr><th scope=\"row\">\(month.collectionMonth.brazilian)</th><td>\(month.collected.total.formatted)</td>"
                + "<td>\(month.collected.principal.formatted)</td><td>\(month.collected.multa.formatted)</td>"
                + "<td>\(month.collected.juros.formatted)</td><td>\(month.transferred.total.formatted)</td>"
                + "<td>\(dates.isEmpty ? "previsto para \(month.scheduledRepasseDate.brazilian)" : dates.joined(separator: "<br>"))</td>"
                + "<td>\(month.pending.total.formatted)</td></tr>\n"
        }
        return html + "</tbody></table></div>"
    }

    /// The Dados Gerais as CSV: one line per period (year or `total`) and measure.
    public static func dadosGeraisCSV(_ dados: DadosGerais) -> String {
        var csv = "periodo;indicador;unidade;quantidade;valor\n"
        let periods = dados.years.map { (String($0.year), $0.figures) } + [("total", dados.overall)]
        for (period, figures) in periods {
            for measure in DadosGeraisFigures.Measure.allCases {
                let value = figures[measure]
                csv += "\(period);\(measure.rawValue);\(measure.unidade);\(value.count);\(value.amount.csvDecimal)\n"
            }
            let index = figures.indiceAdimplenciaHundredths.map { Money(centavos: $0).csvDecimal } ?? ""
            csv += "\(period);indice_adimplencia;percentual;;\(index)\n"
        }
        return csv
    }

    /// The demonstrativo de repasse as CSV: one line per repasse, plus one per month with pending money.
    public static func demonstrativoCSV(_ months: [Demonstrativo]) -> String {
        var csv = "mes_arrecadacao;repasse;tipo;data_repasse;principal;multa;juros;total;pagamentos\n"
        for month in months {
            for line in month.repasses {
                csv += "\(month.collectionMonth);\(line.repasseID);\(line.kind.rawValue);\(line.transferredOn);"
                    + "\(line.amounts.principal.csvDecimal);\(line.amounts.multa.csvDecimal);\(line.amounts.juros.csvDecimal);"
                    + "\(line.amounts.total.csvDecimal);\(line.paymentCount)\n"
            }
            if month.pendingCount > 0 {
                csv += "\(month.collectionMonth);;pendente;;\(month.pending.principal.csvDecimal);\(month.pending.multa.csvDecimal);"
                    + "\(month.pending.juros.csvDecimal);\(month.pending.total.csvDecimal);\(month.pendingCount)\n"
            }
        }
        return csv
    }

    /// The page's style sheet (served from /publico/estilo.css: the CSP allows no inline styles).
    public static let css = """
        body { font-family: "Rawline", "Raleway", Arial, sans-serif; margin: 0; color: #1b1b1b; background: #ffffff; line-height: 1.5; }
        header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 1rem; }
        header { border-bottom: 4px solid #1351b4; padding-bottom: .5rem; }
        .orgao { font-weight: bold; color: #1351b4; margin-bottom: 0; }
        h1 { font-size: 1.9rem; margin: .2rem 0; }
        h2 { font-size: 1.35rem; margin-top: 2rem; }
        .pular { position: absolute; left: -999px; }
        .pular:focus { left: 1rem; top: 1rem; background: #ffcd07; padding: .5rem; }
        .indice { font-size: 1.2rem; }
        .nota { color: #555555; font-size: .85rem; }
        .tabela { overflow-x: auto; }
        table { border-collapse: collapse; margin: 1rem 0; }
        caption { text-align: left; font-weight: bold; padding: .3rem 0; }
        th, td { border: 1px solid #cccccc; padding: .35rem .6rem; text-align: right; vertical-align: top; }
        th[scope="row"], thead th:first-child { text-align: left; }
        thead th { background: #f0f0f0; }
        figure { margin: 1rem 0; overflow-x: auto; }
        svg.grafico { max-width: 100%; height: auto; }
        a { color: #1351b4; }
        a:focus { outline: 3px solid #ffcd07; }
        footer { border-top: 1px solid #cccccc; margin-top: 2rem; padding-top: .5rem; color: #555555; font-size: .9rem; }

        """
}
