import FNSTransferCore
import Foundation
import Models
import Testing

/// The public page and its CSV rendered from figures (no server): structure, accessibility
/// attributes, escaping and the charts' proportions.
@Suite struct PublicPageTests {
    static func figures() -> PublicFigures {
        var y2026 = DadosGeraisFigures()
        y2026.identified = CountAmount(count: 10, amount: Money(centavos: 1_000_000))
        y2026.charged = CountAmount(count: 8, amount: Money(centavos: 800_000))
        y2026.paid = CountAmount(count: 3, amount: Money(centavos: 400_000))
        y2026.parcelled = CountAmount(count: 1, amount: Money(centavos: 200_000))
        y2026.collected = CountAmount(count: 4, amount: Money(centavos: 420_000))
        y2026.transferred = CountAmount(count: 1, amount: Money(centavos: 210_000))
        let amounts = ComponentAmounts(principal: Money(centavos: 200_000), multa: Money(centavos: 6_000),
                                       juros: Money(centavos: 4_000), total: Money(centavos: 210_000))
        let march = Demonstrativo(
            collectionMonth: Sample.month("2026-03"), scheduledRepasseDate: Sample.date("2026-04-30"),
            collected: amounts, collectedCount: 2,
            repasses: [RepasseLine(repasseID: "2026-03/1", sequence: 1, kind: .regular, trigger: .scheduled,
                                   transferredOn: Sample.date("2026-04-30"), amounts: amounts, paymentCount: 2)],
            transferred: amounts, pending: .zero, pendingCount: 0)
        let april = Demonstrativo(
            collectionMonth: Sample.month("2026-04"), scheduledRepasseDate: Sample.date("2026-05-29"),
            collected: amounts, collectedCount: 2, repasses: [], transferred: .zero, pending: amounts, pendingCount: 2)
        return PublicFigures(dadosGerais: DadosGerais(years: [.init(year: 2026, figures: y2026)], overall: y2026),
                             demonstrativos: [march, april], asOf: Sample.date("2026-05-04"))
    }

    @Test func pageStructureAndCharts() {
        let html = PublicPage.html(Self.figures())
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<html lang=\"pt-BR\">"))
        #expect(!html.contains("<script") && !html.contains("style=\""), "no scripts, no inline styles (CSP)")
        #expect(html.contains("Índice de adimplência: <strong>75,00%</strong>"))
        #expect(html.contains("Posição em <time datetime=\"2026-05-04\">04/05/2026</time>"))
        for id in ["grafico-funil", "grafico-mensal"] {
            #expect(html.contains("id=\"\(id)\" class=\"grafico\" role=\"img\""))
            #expect(html.contains("aria-labelledby=\"\(id)-titulo \(id)-descricao\""))
        }
        // The funnel's widest bar is the largest value (identified) at the full plot width (820 - 290 - 140).
        #expect(html.contains("width=\"390\" height=\"34\" fill=\"#1351b4\"><title>Identificado: R$ 10.000,00</title>"))
        // Charged (8.000,00) is 80% of it.
        #expect(html.contains("width=\"312\" height=\"34\""))
        #expect(html.contains("<td>previsto para 29/05/2026</td>"))
        #expect(html.contains("<th scope=\"row\">03/2026</th>"))
        #expect(html.contains("href=\"/publico/dados-gerais.csv\""))
    }

    @Test func emptyPage() {
        let empty = PublicFigures(dadosGerais: DadosGerais(years: [], overall: DadosGeraisFigures()), demonstrativos: [],
                                  asOf: Sample.date("2026-01-02"))
        let html = PublicPage.html(empty)
        #expect(html.contains("Nenhum pagamento liquidado até o momento."))
        #expect(html.contains("Índice de adimplência: <strong>—</strong>"))
    }

    @Test func csvFiles() {
        let figures = Self.figures()
        let dados = PublicPage.dadosGeraisCSV(figures.dadosGerais).split(separator: "\n")
        #expect(dados.first == "periodo;indicador;unidade;quantidade;valor")
        #expect(dados.allSatisfy { $0.split(separator: ";", omittingEmptySubsequences: false).count == 5 })
        #expect(dados.contains("2026;cobrados;atendimentos;8;8000,00"))
        #expect(dados.contains("total;indice_adimplencia;percentual;;75,00"))
        let demonstrativo = PublicPage.demonstrativoCSV(figures.demonstrativos).split(separator: "\n")
        #expect(demonstrativo == [
            "mes_arrecadacao;repasse;tipo;data_repasse;principal;multa;juros;total;pagamentos",
            "2026-03;2026-03/1;regular;2026-04-30;2000,00;60,00;40,00;2100,00;2",
            "2026-04;;pendente;;2000,00;60,00;40,00;2100,00;2",
        ])
    }

    @Test func securityHeaders() {
        let names = Set(FNSPublicRoutes.securityHeaders.map(\.name))
        #expect(names.isSuperset(of: ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"]))
        let csp = FNSPublicRoutes.securityHeaders.first { $0.name == "Content-Security-Policy" }?.value ?? ""
        #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"))
    }
}
