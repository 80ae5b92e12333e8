import FNSTransferCore
import Foundation
import Models
import Runtime

/// The FNS commands' terminal output (Portuguese) and JSON.
enum FNSText {
    /// Pretty JSON (amounts as integer centavos, dates `AAAA-MM-DD`, as in the events).
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = EventJSON.encoder
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func demonstrativo(_ d: Demonstrativo) -> String {
        var text = """
            Demonstrativo de repasse ao FNS - mês de arrecadação \(d.collectionMonth.brazilian)
            Repasse previsto (último dia útil do mês seguinte): \(d.scheduledRepasseDate.brazilian)

            """
        var rows: [[String]] = [row("Arrecadado (\(d.collectedCount) pagamentos)", "", d.collected)]
        for line in d.repasses {
            let kind = line.kind == .regular ? "regular" : "complementar"
            rows.append(row("Repasse \(line.repasseID) (\(kind), \(line.paymentCount) pag.)", line.transferredOn.brazilian, line.amounts))
        }
        rows.append(row("Total repassado", "", d.transferred))
        rows.append(row("Pendente (\(d.pendingCount) pagamentos)", "", d.pending))
        text += FNSTable.render(header: ["Movimento", "Data", "Principal", "Multa", "Juros", "Total"], rows: rows, rightAligned: 2...5)
        text += "\n\nConciliação: " + (d.reconciles
            ? "arrecadado = repassado + pendente (\(d.collected.total.formatted))"
            : "DIVERGENTE: arrecadado \(d.collected.total.formatted), repassado + pendente \((d.transferred + d.pending).total.formatted)")
        return text
    }

    private static func row(_ label: String, _ date: String, _ amounts: ComponentAmounts) -> [String] {
        [label, date, amounts.principal.formatted, amounts.multa.formatted, amounts.juros.formatted, amounts.total.formatted]
    }

    static func reconciliation(_ report: FNSReconciliationReport) -> String {
        let months = report.months
        let allMonths = report.allMonths
        guard !allMonths.isEmpty else { return "Nenhum pagamento liquidado registrado." }
        let withTopic = report.onTopic != nil
        let byMonth = Dictionary(uniqueKeysWithValues: months.map { ($0.collectionMonth, $0) })
        let rows = allMonths.map { month -> [String] in
            let m = byMonth[month]
            var row = [month.brazilian, String(m?.settledCount ?? 0), (m?.settled ?? .zero).formatted,
                       (m?.transferred ?? .zero).formatted, (m?.pending ?? .zero).formatted]
            if let topic = report.topic(month) { row.append(topic.amount.formatted) }
            return row + [report.reconciles(month) ? "confere" : "DIVERGENTE"]
        }
        let settled = Money.sum(months.map(\.settled)), transferred = Money.sum(months.map(\.transferred))
        let pending = Money.sum(months.map(\.pending))
        var total = ["Total", String(months.map(\.settledCount).reduce(0, +)), settled.formatted, transferred.formatted,
                     pending.formatted]
        if let topic = report.onTopic { total.append(Money.sum(topic.map(\.settled.amount)).formatted) }
        total.append(report.reconciles ? "confere" : "DIVERGENTE")
        let header = ["Mês", "Pagamentos", "Registrado", "Repassado", "Pendente"] + (withTopic ? ["Nos eventos"] : []) + ["Situação"]
        return "Conciliação por mês de arrecadação: registrado = repassado + pendente"
            + (withTopic ? " = liquidado nos eventos" : "") + "\n\n"
            + FNSTable.render(header: header, rows: rows + [total], rightAligned: 1...(withTopic ? 5 : 4))
    }

    static func dadosGerais(_ dados: DadosGerais) -> String {
        let periods = dados.years.map { (String($0.year), $0.figures) } + [("Total", dados.overall)]
        var rows: [[String]] = []
        for measure in DadosGeraisFigures.Measure.allCases {
            rows.append([measure.rotulo] + periods.map { $0.1[measure].amount.formatted })
            rows.append(["  quantidade (\(measure.unidade))"] + periods.map { String($0.1[measure].count) })
        }
        rows.append(["Índice de adimplência"] + periods.map { $0.1.indiceAdimplenciaText })
        return "Dados Gerais do Ressarcimento ao SUS\n\n"
            + FNSTable.render(header: ["Indicador"] + periods.map { $0.0 }, rows: rows, rightAligned: 1...periods.count)
            + "\n\nÍndice de adimplência = (pagos + parcelados) ÷ cobrados × 100."
    }
}

/// A text table with aligned columns; the columns in `rightAligned` are aligned right (amounts).
enum FNSTable {
    static func render(header: [String], rows: [[String]], rightAligned: ClosedRange<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return rightAligned.contains(column) ? pad + text : text + pad
            }.joined(separator: "  ").trimmingTrailingSpaces
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
