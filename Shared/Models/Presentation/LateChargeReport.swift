/// Operator views (Portuguese) of a late-charge calculation: text and a JSON document.
extension LateCharges {
    /// The breakdown with its memo, as shown by `ressus calcular`.
    public var relatorio: String { relatorio(asOfLabel: "Pagamento") }

    /// The breakdown with its memo, naming the "as of" date `asOfLabel` (the Posição Financeira
    /// calls it "Referência"); labels are padded so the values stay in one column.
    public func relatorio(asOfLabel: String) -> String {
        var lines: [String] = []
        if isProvisional {
            lines.append("*** RESULTADO PROVISÓRIO: faltam as taxas SELIC de "
                + memo.missingSelicMonths.map(\.brazilian).joined(separator: ", ") + " (consideradas 0) ***")
        }
        let multaDetail: String = switch memo.multaRegime {
        case .none: "sem atraso"
        case .legacyFlat: "10% (vencimento até 03/12/2008)"
        case .dailyCapped: "0,33% × \(memo.daysLate) dias" + (memo.multaCapped ? ", limitada a 20%" : "")
        }
        lines += [
            "Acréscimos moratórios",
            "  Principal:        \(principal.formatted)",
            "  Vencimento:       \(dueDate.brazilian)",
            "  " + (asOfLabel + ":").padding(to: 18) + asOf.brazilian,
            "  Dias de atraso:   \(memo.daysLate)",
            "  Multa de mora:    \(memo.multaRate.formatted) = \(multa.formatted) (\(multaDetail))",
            "  Juros de mora:    \(memo.jurosRate.formatted) = \(juros.formatted)",
            "  Total:            \(total.formatted)",
            "",
            "Memória de cálculo",
            "  Regra: \(memo.ruleVersion)",
        ]
        for source in memo.legalSources { lines.append("  Fundamento: \(source)") }
        if !memo.legacyJurosMonths.isEmpty {
            let first = memo.legacyJurosMonths.first!.brazilian, last = memo.legacyJurosMonths.last!.brazilian
            lines.append("  Juros de 1% ao mês (\(first) a \(last), \(memo.legacyJurosMonths.count) meses): "
                + memo.legacyJurosRate.formatted)
        }
        if !memo.selicMonths.isEmpty {
            lines.append("  SELIC mensal (tabela \(memo.selicTableVersion)):")
            for month in memo.selicMonths {
                lines.append("    \(month.month.brazilian)  \(month.rate?.formatted ?? "FALTANDO")")
            }
            lines.append("  Soma SELIC: \(memo.selicSum.formatted)")
        }
        if memo.paymentMonthRate > .zero {
            lines.append("  Mês do pagamento: \(memo.paymentMonthRate.formatted)")
        }
        if memo.jurosRate == .zero && memo.daysLate > 0 {
            lines.append("  Pago no mês do vencimento: sem juros")
        }
        lines.append("  Juros totais: \(memo.jurosRate.formatted) do principal")
        return lines.joined(separator: "\n")
    }

    /// The JSON view for operators (`ressus calcular --json`): Portuguese keys, amounts and percentages as
    /// dot-decimal strings with 2 decimals, dates ISO.
    public var operatorView: LateChargeOperatorView { LateChargeOperatorView(self) }
}

/// JSON document of a late-charge calculation for operators (amounts as decimal strings).
public struct LateChargeOperatorView: Encodable, Sendable {
    public struct Memoria: Encodable, Sendable {
        let regra: String
        let fundamentos: [String]
        let regimeMulta: String
        let multaLimitada: Bool
        let mesesJurosRegimeAnterior: [String]
        let taxaJurosRegimeAnterior: String
        let tabelaSelic: String
        let mesesSelic: [MesSelic]
        let somaSelic: String
        let taxaMesPagamento: String
        let mesesSelicFaltantes: [String]
    }

    public struct MesSelic: Encodable, Sendable {
        let mes: String
        let taxa: String?
    }

    let principal: String
    let vencimento: String
    let pagamento: String
    let diasAtraso: Int
    let taxaMulta: String
    let taxaJuros: String
    let multa: String
    let juros: String
    let total: String
    let provisorio: Bool
    let memoria: Memoria

    init(_ c: LateCharges) {
        principal = c.principal.decimalString
        vencimento = c.dueDate.description
        pagamento = c.asOf.description
        diasAtraso = c.memo.daysLate
        taxaMulta = c.memo.multaRate.decimalString
        taxaJuros = c.memo.jurosRate.decimalString
        multa = c.multa.decimalString
        juros = c.juros.decimalString
        total = c.total.decimalString
        provisorio = c.isProvisional
        memoria = Memoria(
            regra: c.memo.ruleVersion, fundamentos: c.memo.legalSources, regimeMulta: c.memo.multaRegime.rawValue,
            multaLimitada: c.memo.multaCapped, mesesJurosRegimeAnterior: c.memo.legacyJurosMonths.map(\.description),
            taxaJurosRegimeAnterior: c.memo.legacyJurosRate.decimalString, tabelaSelic: c.memo.selicTableVersion,
            mesesSelic: c.memo.selicMonths.map { MesSelic(mes: $0.month.description, taxa: $0.rate?.decimalString) },
            somaSelic: c.memo.selicSum.decimalString, taxaMesPagamento: c.memo.paymentMonthRate.decimalString,
            mesesSelicFaltantes: c.memo.missingSelicMonths.map(\.description))
    }

    enum CodingKeys: String, CodingKey {
        case principal, vencimento, pagamento, multa, juros, total, provisorio, memoria
        case diasAtraso = "dias_atraso", taxaMulta = "taxa_multa", taxaJuros = "taxa_juros"
    }
}

extension LateChargeOperatorView.Memoria {
    enum CodingKeys: String, CodingKey {
        case regra, fundamentos
        case regimeMulta = "regime_multa", multaLimitada = "multa_limitada"
        case mesesJurosRegimeAnterior = "meses_juros_regime_anterior"
        case taxaJurosRegimeAnterior = "taxa_juros_regime_anterior"
        case tabelaSelic = "tabela_selic", mesesSelic = "meses_selic", somaSelic = "soma_selic"
        case taxaMesPagamento = "taxa_mes_pagamento", mesesSelicFaltantes = "meses_selic_faltantes"
    }
}

extension String {
    /// `self` followed by spaces up to `width` characters (unchanged when already that long).
    fileprivate func padding(to width: Int) -> String {
        let count = self.count
        return count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
