import ArgumentParser
import DebtCalculatorCore
import Foundation
import Models

/// `ressus debitos posicao|resumo`: the as-of position of an operadora (DOMAIN §5, §9) and the summary
/// of the whole book.
struct DebitosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debitos",
        abstract: "Débitos das operadoras.",
        subcommands: [Posicao.self, Resumo.self]
    )

    struct Resumo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resumo",
            abstract: "Resumo de todas as operadoras numa data: GRUs por situação, pagamentos, parcelamentos, CADIN.",
            discussion: "Totais das GRUs em aberto atualizados com multa e juros até a data (mesma regra de 'posicao')."
        )

        @Option(name: .customLong("em"), help: "Data de referência (AAAA-MM-DD ou DD/MM/AAAA).")
        var em: String

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let date = try parseOption(em, "--em") { try CivilDate(parsing: $0) }
                let summary = try await pedido.withMigratedPool { pool in
                    try await pool.withConnection { try DebtSummary.compute(asOf: date, on: $0) }
                }
                if pedido.json {
                    print(try jsonText(summary))
                    return
                }
                print("Resumo dos débitos em \(date.brazilian):")
                print("GRUs por situação:")
                if summary.grus.isEmpty { print("  nenhuma GRU") }
                for line in summary.grus {
                    print("  \(line.state.rotulo): \(line.count) GRU(s), principal \(line.principal.formatted), "
                        + (DebtSummaryText.isOpen(line.state) ? "total atualizado " : "pago ") + line.total.formatted)
                }
                print("Pagamentos:")
                if summary.payments.isEmpty { print("  nenhum pagamento") }
                for line in summary.payments {
                    print("  \(line.classification.rawValue): \(line.count), \(line.amount.formatted)"
                        + (line.classification.isFlagged ? " (sinalizados para análise)" : ""))
                }
                let plans = summary.parcelamentos.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                print("Parcelamentos: " + (plans.isEmpty ? "nenhum" : plans.joined(separator: ", ")))
                print("CADIN: \(summary.cadinGRUs) GRU(s) de \(summary.cadinOperadoras) operadora(s)")
                print("Cobranças pequenas acumuladas (RN 533/2022): \(summary.heldCharges), \(summary.heldTotal.formatted)")
                print("Créditos das operadoras (pagamentos excedentes): \(summary.credit.formatted)")
                if summary.provisional { print("Atenção: há valores provisórios (meses da tabela SELIC ausentes).") }
            }
        }
    }

    struct Posicao: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "posicao",
            abstract: "Posição financeira de uma operadora numa data: cada GRU, a situação e os valores atualizados.",
            discussion: """
                Para as GRUs em aberto (emitida, suspensa judicialmente, inscrita em dívida ativa): multa e juros \
                de mora sobre o principal em aberto, do vencimento original até a data (DOMAIN §5), com a memória \
                de cálculo no JSON. Valores marcados como provisórios quando a tabela SELIC não tem algum mês.
                """
        )

        @Option(name: .customLong("operadora"), help: "Registro ANS da operadora (6 dígitos).")
        var operadora: String

        @Option(name: .customLong("em"), help: "Data de referência (AAAA-MM-DD ou DD/MM/AAAA).")
        var em: String

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let registro = try parseOption(operadora, "--operadora") { try RegistroANS($0) }
                let date = try parseOption(em, "--em") { try CivilDate(parsing: $0) }
                let position = try await pedido.withMigratedPool { pool in
                    try await pool.withConnection { try DebtPosition.compute(registroANS: registro, asOf: date, on: $0) }
                }
                if pedido.json {
                    print(try jsonText(position))
                } else {
                    printText(position)
                }
            }
        }

        private func printText(_ position: DebtPosition) {
            print("Posição da operadora \(position.registroANS.value) em \(position.asOf.brazilian): \(position.grus.count) GRU(s)")
            for entry in position.grus {
                let abis = entry.abis.map { String($0.value) }.joined(separator: ",")
                var line = "\(entry.gru.value)  ABI \(abis.isEmpty ? "-" : abis)  venc. \(entry.dueDate.brazilian)  "
                    + "principal \(entry.principal.formatted)  \(entry.state.rotulo)"
                if let total = entry.total, let multa = entry.multa, let juros = entry.juros {
                    line += "  em aberto \(entry.openPrincipal.formatted) + multa \(multa.formatted) + juros \(juros.formatted)"
                        + " = \(total.formatted)" + (entry.provisional == true ? " (provisório)" : "")
                } else if entry.paidTotal > .zero {
                    line += "  pago \(entry.paidTotal.formatted)"
                }
                if entry.credit > .zero { line += "  crédito \(entry.credit.formatted)" }
                if entry.inCadin { line += "  [CADIN]" }
                if let process = entry.courtProcess, entry.state == .suspensaJudicialmente { line += "  processo \(process)" }
                if let replaced = entry.replacedBy { line += "  substituída por \(replaced.value)" }
                if let plan = entry.parcelamentoID { line += "  \(plan)" }
                print(line)
            }
            print("Totais por situação:")
            for total in position.totals {
                print("  \(total.state.rotulo): \(total.count) GRU(s), principal \(total.principal.formatted), "
                    + "total \(total.total.formatted)")
            }
            print("Tabela SELIC: versão \(position.selicTableVersion)")
            if position.provisional {
                print("Atenção: há valores provisórios (meses da tabela SELIC ausentes; veja --json).")
            }
        }
    }
}

enum DebtSummaryText {
    /// Open for collection (acréscimos accrue).
    static func isOpen(_ state: GRUState) -> Bool {
        state == .emitida || state == .suspensaJudicialmente || state == .inscritaEmDividaAtiva
    }
}
