import ArgumentParser
import DebtCalculatorCore
import Foundation
import Models

/// `ressus parcelamento solicitar|listar`: installment plans (DOMAIN §6).
struct ParcelamentoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parcelamento",
        abstract: "Parcelamento de débitos (RPD).",
        subcommands: [Solicitar.self, Listar.self]
    )

    struct Solicitar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "solicitar",
            abstract: "Registra um requerimento de parcelamento (RPD) de GRUs em aberto.",
            discussion: """
                O débito consolidado é o total atualizado das GRUs na data de hoje (relógio do serviço); até \
                min(60, consolidado / R$ 1.000,00) parcelas. As GRUs passam a 'parcelada'; a 1ª parcela é \
                emitida já, vence no último dia útil do mês e o parcelamento é deferido quando ela é paga. As \
                demais parcelas são emitidas mês a mês; cada uma é paga com SELIC + 1% desde a concessão; três \
                parcelas não pagas no vencimento rescindem o parcelamento.
                """
        )

        @Option(name: .customLong("operadora"), help: "Registro ANS da operadora (6 dígitos).")
        var operadora: String

        @Option(name: .customLong("gru"), parsing: .upToNextOption, help: "Números das GRUs (uma ou mais).")
        var grus: [String]

        @Option(name: .customLong("parcelas"), help: "Número de parcelas.")
        var parcelas: Int

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let registro = try parseOption(operadora, "--operadora") { try RegistroANS($0) }
                guard !grus.isEmpty else { throw OperatorError(message: "informe ao menos uma --gru") }
                let numbers = try grus.map { text in try parseOption(text, "--gru") { try GRUNumber($0) } }
                guard parcelas > 0 else { throw OperatorError(message: "--parcelas deve ser positivo") }
                try await pedido.submit(.parcelamento(registroANS: registro, grus: numbers, installments: parcelas))
            }
        }
    }

    struct Listar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "listar", abstract: "Lista os parcelamentos de uma operadora e as suas parcelas.")

        @Option(name: .customLong("operadora"), help: "Registro ANS da operadora (6 dígitos).")
        var operadora: String

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let registro = try parseOption(operadora, "--operadora") { try RegistroANS($0) }
                let listing = try await pedido.withMigratedPool { pool in
                    try await pool.withConnection { try ParcelamentoListing.read(registroANS: registro, on: $0) }
                }
                if pedido.json {
                    print(try jsonText(listing))
                    return
                }
                guard !listing.plans.isEmpty else {
                    print("Nenhum parcelamento da operadora \(registro.value).")
                    return
                }
                for plan in listing.plans {
                    print("\(plan.parcelamentoID): \(plan.state.rawValue), consolidado \(plan.consolidated.formatted) em "
                        + "\(plan.concessionDate.brazilian), \(plan.installmentCount) parcela(s); GRUs "
                        + plan.gruNumbers.joined(separator: ", "))
                    for i in plan.installments {
                        var line = "  parcela \(i.number): vence \(i.dueDate.brazilian), base \(i.base.formatted), \(i.status)"
                        if let gru = i.gruNumber { line += ", GRU \(gru)" }
                        if let paid = i.paidAmount, let on = i.paidOn { line += ", paga \(paid.formatted) em \(on.brazilian)" }
                        if i.missed { line += " (não paga no vencimento)" }
                        print(line)
                    }
                }
            }
        }
    }
}
