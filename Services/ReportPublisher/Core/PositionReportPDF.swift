import Foundation
import Models
import PDF

/// Renders a ``PositionReport`` as an A4 PDF in Portuguese: header and footer on every page
/// (reference date, generation time, "Página N de M"), the GRU table grouped by state (breaks
/// across pages repeating its header), totals per state, the calculation memo of every open GRU
/// and the contacts for the states present.
public enum PositionReportPDF {
    public static let title = "Posição Financeira Atualizada"

    /// Columns of the GRU table.
    static let columns: [PDFTable.Column] = [
        .init("GRU", width: .fixed(84)),
        .init("ABI", width: .fixed(30), alignment: .center),
        .init("Vencimento", width: .fixed(54), alignment: .center),
        .init("Valor original", width: .fixed(66), alignment: .right),
        .init("Situação", width: .flexible(1)),
        .init("Multa", width: .fixed(58), alignment: .right),
        .init("Juros", width: .fixed(58), alignment: .right),
        .init("Total atualizado", width: .fixed(72), alignment: .right),
    ]

    public static func render(_ report: PositionReport) -> [UInt8] {
        let generated = generatedText(report.generatedAt)
        let operadora = report.operadora
        var doc = PDFDocumentBuilder(info: PDFInfo(
            title: "\(title) — \(operadora.razaoSocial)", author: "ANS — Ressarcimento ao SUS",
            subject: "GRUs da operadora \(operadora.registroANS) em \(report.referenceDate.brazilian)",
            creator: "ressus report-publisher", creationDate: PDFDate(report.generatedAt, utcOffsetMinutes: utcOffset(report.generatedAt))))
        doc.pageHeader(title: title,
                       subtitle: "\(operadora.razaoSocial) · CNPJ \(operadora.formattedCNPJ) · Registro ANS \(operadora.registroANS)",
                       trailing: "Data de referência: \(report.referenceDate.brazilian)")
        doc.pageFooter(leading: "Ressarcimento ao SUS · ANS · gerado em \(generated)") { "Página \($0) de \($1)" }

        doc.heading(title)
        doc.keyValues([
            ("Operadora", operadora.razaoSocial),
            ("CNPJ", operadora.formattedCNPJ),
            ("Registro ANS", operadora.registroANS),
            ("Data de referência", report.referenceDate.brazilian),
            ("Gerado em", generated),
            ("Tabela SELIC", report.selicVersion),
            ("Total em aberto atualizado", report.totalUpdated.formatted),
        ])
        doc.paragraph(
            "Este relatório lista todas as GRUs emitidas para a operadora até a data de referência, na situação "
            + "em que se encontravam nessa data. Para as GRUs em aberto (emitidas, suspensas judicialmente ou inscritas "
            + "em dívida ativa) mostra a multa e os juros de mora atualizados até a data de referência sobre o principal "
            + "em aberto, a partir do vencimento original (Lei nº 9.656/1998, art. 32; Lei nº 9.430/1996, art. 61).")
        if report.isProvisional {
            doc.paragraph(
                "ATENÇÃO — VALORES PROVISÓRIOS: a tabela SELIC ainda não tem a taxa de "
                + report.missingSelicMonths.map(\.brazilian).joined(separator: ", ")
                + ". Os juros das GRUs marcadas com * foram calculados sem esses meses (considerados 0) e serão "
                + "maiores quando as taxas forem publicadas.",
                font: .helveticaBold(9.5), color: PDFColor(red: 0.7, green: 0.1, blue: 0.05))
        }

        doc.heading("GRUs por situação")
        if report.lines.isEmpty {
            doc.paragraph("Nenhuma GRU emitida até \(report.referenceDate.brazilian).")
        } else {
            doc.table(gruTable(report))
        }

        doc.heading("Totais por situação")
        doc.table(totalsTable(report))

        let open = report.lines.filter { $0.charges != nil }
        if !open.isEmpty {
            doc.heading("Memória de cálculo das GRUs em aberto")
            for line in open {
                guard let charges = line.charges else { continue }
                doc.heading("GRU \(line.position.number) — \(line.position.state.titulo)"
                            + (charges.isProvisional ? " (PROVISÓRIO)" : ""), level: 2)
                // The calculator's memo names the "as of" date "Pagamento"; here it is the reference date.
                let memo = charges.relatorio(asOfLabel: "Referência")
                doc.memo("Vencimento original (início dos acréscimos): \(line.position.accrualDate.brazilian)\n"
                         + "Principal em aberto: \(line.position.openPrincipal.formatted)\n" + memo)
            }
        }

        doc.heading("Contatos")
        for state in Set(report.lines.map(\.position.state)).sorted(by: { order($0) < order($1) }) {
            doc.paragraph("GRUs \(state.titulo.lowercased()):", spacingAfter: 0)
            doc.link(state.contactEmail, url: "mailto:\(state.contactEmail)", spacingAfter: 4)
        }
        if report.lines.isEmpty {
            doc.link(GRUState.emitida.contactEmail, url: "mailto:\(GRUState.emitida.contactEmail)")
        }
        return doc.render()
    }

    static func gruTable(_ report: PositionReport) -> PDFTable {
        var rows: [PDFTable.Row] = []
        for total in report.totals {
            rows.append(.group("\(total.state.titulo) — \(total.count) GRU\(total.count == 1 ? "" : "s")"))
            for line in report.lines where line.position.state == total.state {
                let p = line.position
                let mark = line.charges?.isProvisional == true ? " *" : ""
                rows.append(.cells([
                    p.number, p.abis, p.dueDate.brazilian, p.principal.formatted, situation(line),
                    line.charges.map { $0.multa.formatted + mark } ?? "–",
                    line.charges.map { $0.juros.formatted + mark } ?? "–",
                    line.charges.map { $0.total.formatted + mark } ?? "–",
                ]))
            }
        }
        let principal = Money.sum(report.lines.map(\.position.principal))
        return PDFTable(columns: columns, rows: rows, totals: [
            ["Total geral", "", "", principal.formatted, "\(report.lines.count) GRUs", "", "", report.totalUpdated.formatted],
        ])
    }

    static func situation(_ line: PositionReport.Line) -> String {
        let p = line.position
        var text = p.state.titulo
        if line.charges != nil, p.openPrincipal != p.principal { text += " (em aberto \(p.openPrincipal.formatted))" }
        if p.state == .paga || p.state == .pagaComAtraso { text += " (pago \(p.paidTotal.formatted))" }
        return text
    }

    static func totalsTable(_ report: PositionReport) -> PDFTable {
        let columns: [PDFTable.Column] = [
            .init("Situação", width: .flexible(1)),
            .init("GRUs", width: .fixed(40), alignment: .right),
            .init("Valor original", width: .fixed(80), alignment: .right),
            .init("Principal em aberto", width: .fixed(84), alignment: .right),
            .init("Total atualizado", width: .fixed(84), alignment: .right),
            .init("Valor pago", width: .fixed(80), alignment: .right),
        ]
        let totals = report.totals
        let cells = totals.map { t in
            [t.state.titulo, "\(t.count)", t.principal.formatted, t.open.formatted, t.updated.formatted,
             t.paid.formatted]
        }
        return PDFTable(columns: columns, cells: cells, totals: [[
            "Total", "\(report.lines.count)", Money.sum(totals.map(\.principal)).formatted,
            Money.sum(totals.map(\.open)).formatted, report.totalUpdated.formatted, Money.sum(totals.map(\.paid)).formatted,
        ]])
    }

    static func order(_ state: GRUState) -> Int { PositionReport.stateOrder.firstIndex(of: state) ?? 99 }

    static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// "23/11/2026 às 14:30 (horário de Brasília)".
    static func generatedText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Sao_Paulo")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(two(c.day))/\(two(c.month))/\(c.year ?? 0) às \(two(c.hour)):\(two(c.minute)) (horário de Brasília)"
    }

    static func utcOffset(_ date: Date) -> Int {
        (TimeZone(identifier: "America/Sao_Paulo")?.secondsFromGMT(for: date) ?? -10_800) / 60
    }
}
