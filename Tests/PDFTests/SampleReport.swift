import PDF

/// A realistic "Posição Financeira Atualizada" built with the PDF layer: the shape of the report the
/// report-publisher service will produce (DOMAIN §9), with made-up but consistent figures in integer
/// centavos. Business rules are not computed here; only layout is under test.
enum SampleReport {
    static let title = "Posição Financeira Atualizada"
    static let operadora = "Saúde Exemplo Assistência Médica Ltda."
    static let creationDate = PDFDate(year: 2026, month: 11, day: 23, hour: 14, minute: 30, second: 5, utcOffsetMinutes: -180)

    /// The table's columns, fixed so tests know where each one ends (the Situação column takes
    /// what is left of A4's 511.28-point text width). Money columns fit "R$ 9.999.999,99" in bold.
    static let columns: [PDFTable.Column] = [
        .init("GRU", width: .fixed(84)),
        .init("ABI", width: .fixed(26), alignment: .center),
        .init("Vencimento", width: .fixed(54), alignment: .center),
        .init("Valor original", width: .fixed(68), alignment: .right),
        .init("Situação", width: .flexible(1)),
        .init("Multa", width: .fixed(58), alignment: .right),
        .init("Juros", width: .fixed(58), alignment: .right),
        .init("Total atualizado", width: .fixed(70), alignment: .right),
    ]

    struct GRU {
        var number: String
        var abi: Int
        var dueDate: String
        var principal: Int
        var state: String
        var multa: Int
        var juros: Int
        var open: Bool { multa > 0 || juros > 0 }
        var total: Int { principal + multa + juros }
    }

    static let states = [
        "Emitida (em aberto)", "Paga", "Paga com atraso", "Parcelada", "Suspensa judicialmente",
        "Inscrita em dívida ativa", "Cancelada",
    ]

    /// `count` GRUs from a fixed pseudo-random sequence; the first has a principal of R$ 1.234,56.
    static func grus(count: Int) -> [GRU] {
        var seed: UInt64 = 0x5EED_2026
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        return (0..<count).map { index in
            let principal = index == 0 ? 123_456 : 50_000 + next(4_000_000)
            let stateIndex = index == 0 ? 0 : [0, 0, 1, 1, 1, 2, 3, 4, 5, 6][next(10)]
            let accrues = [0, 3, 4, 5].contains(stateIndex)
            let multa = accrues ? principal * (33 * (1 + next(60))) / 10_000 : 0
            let juros = accrues ? principal * (50 + next(3_000)) / 10_000 : 0
            let sequence = String(4_000_000_000 + 7_919 * index)
            return GRU(
                number: "2503400" + String(repeating: "0", count: 10 - sequence.count) + sequence,
                abi: 80 + index % 18, dueDate: "\(10 + index % 18)/\(index % 9 + 1 < 10 ? "0" : "")\(index % 9 + 1)/20\(17 + index % 9)",
                principal: principal, state: states[stateIndex], multa: multa, juros: juros)
        }
    }

    /// Brazilian currency text for centavos: `R$ 1.234,56`.
    static func brl(_ centavos: Int) -> String {
        let sign = centavos < 0 ? "-" : ""
        var whole = String(abs(centavos) / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "." + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        let cents = abs(centavos) % 100
        return "\(sign)R$ \(whole)\(grouped),\(cents < 10 ? "0" : "")\(cents)"
    }

    static func table(_ grus: [GRU]) -> PDFTable {
        var rows: [PDFTable.Row] = []
        for state in states {
            let members = grus.filter { $0.state == state }
            guard !members.isEmpty else { continue }
            rows.append(.group("\(state) — \(members.count) GRU\(members.count == 1 ? "" : "s")"))
            for gru in members {
                rows.append(.cells([
                    gru.number, "\(gru.abi)", gru.dueDate, brl(gru.principal), gru.state,
                    gru.open ? brl(gru.multa) : "–", gru.open ? brl(gru.juros) : "–", brl(gru.open ? gru.total : gru.principal),
                ]))
            }
        }
        let principal = grus.reduce(0) { $0 + $1.principal }
        let updated = grus.reduce(0) { $0 + ($1.open ? $1.total : $1.principal) }
        return PDFTable(columns: columns, rows: rows, totals: [
            ["Total geral", "", "", brl(principal), "\(grus.count) GRUs", "", "", brl(updated)],
        ])
    }

    /// The whole report: header, summary, GRU table, totals per state, memos and contacts.
    static func build(gruCount: Int = 150) -> PDFDocumentBuilder {
        let grus = grus(count: gruCount)
        var doc = PDFDocumentBuilder(info: PDFInfo(
            title: title, author: "ANS — Ressarcimento ao SUS", subject: "GRUs de \(operadora)",
            creator: "ressus report-publisher", creationDate: creationDate))
        doc.pageHeader(title: title, subtitle: "\(operadora) · CNPJ 12.345.678/0001-95 · Registro ANS 123456",
                       trailing: "Data de referência: 23/11/2026")
        doc.pageFooter(leading: "Ressarcimento ao SUS · Agência Nacional de Saúde Suplementar · gerado em 23/11/2026 às 14:30") {
            "Página \($0) de \($1)"
        }
        doc.heading(title)
        doc.keyValues([
            ("Operadora", operadora),
            ("CNPJ", "12.345.678/0001-95"),
            ("Data de referência", "23/11/2026"),
            ("Situação", "Relatório gerado na Central de Relatórios — Financeiro"),
        ])
        doc.paragraph(
            "Este relatório lista todas as GRUs emitidas para a operadora no âmbito do Ressarcimento ao SUS, "
            + "com os valores originais e, para as GRUs em aberto, a multa e os juros de mora atualizados até a "
            + "data de referência (Lei nº 9.656/1998, art. 32 § 5º; Lei nº 9.430/1996, art. 61). Valores marcados "
            + "como “provisórios” dependem de taxas SELIC ainda não publicadas.")
        doc.heading("GRUs por situação")
        doc.table(table(grus))

        doc.heading("Totais por situação")
        var totals: [[String]] = []
        for state in states {
            let members = grus.filter { $0.state == state }
            totals.append([state, "\(members.count)", brl(members.reduce(0) { $0 + $1.principal }),
                           brl(members.reduce(0) { $0 + ($1.open ? $1.total : $1.principal) })])
        }
        doc.table(PDFTable(
            columns: [.init("Situação"), .init("Quantidade", width: .fixed(70), alignment: .right),
                      .init("Valor original", width: .fixed(100), alignment: .right),
                      .init("Total atualizado", width: .fixed(100), alignment: .right)],
            cells: totals,
            totals: [["Total", "\(grus.count)", brl(grus.reduce(0) { $0 + $1.principal }),
                      brl(grus.reduce(0) { $0 + ($1.open ? $1.total : $1.principal) })]]))

        doc.heading("Memória de cálculo das GRUs em aberto")
        for gru in grus.filter(\.open).prefix(3) {
            doc.heading("GRU \(gru.number) — vencimento \(gru.dueDate)", level: 2)
            doc.memo("""
                Principal:        \(brl(gru.principal))
                Referência:       23/11/2026
                Multa de mora:    \(brl(gru.multa)) (0,33% ao dia, limitada a 20%)
                Juros de mora:    \(brl(gru.juros)) (SELIC acumulada + 1% no mês de referência)
                Total:            \(brl(gru.total))
                Fundamento: Lei nº 9.430/1996, art. 61, §§ 1º a 3º
                """)
        }

        doc.heading("Contatos")
        doc.paragraph("Dúvidas sobre GRUs que não estão em dívida ativa:", spacingAfter: 0)
        doc.link("ressarcimento@ans.gov.br", url: "mailto:ressarcimento@ans.gov.br", spacingAfter: 6)
        doc.paragraph("GRUs inscritas em dívida ativa (Procuradoria Federal junto à ANS):", spacingAfter: 0)
        doc.link("pfans-i@ans.gov.br", url: "mailto:pfans-i@ans.gov.br", spacingAfter: 6)
        doc.paragraph("Parcelamento:", spacingAfter: 0)
        doc.link("parcelamentosus@ans.gov.br", url: "mailto:parcelamentosus@ans.gov.br")
        return doc
    }
}
