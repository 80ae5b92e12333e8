import ArgumentParser
import DebtCalculatorCore
import Foundation
import Models

/// `ressus pagamentos importar ARQUIVO`: a bank-return file (layout in docs/payment-files.md). Bad rows
/// are reported with their line and reason; the valid rest goes to the debt calculator, which
/// matches each payment to its GRU with its clock.
struct PagamentosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pagamentos",
        abstract: "Pagamentos de GRUs (arquivo de retorno bancário).",
        subcommands: [Importar.self]
    )

    struct Importar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "importar",
            abstract: "Importa um arquivo de retorno bancário (CSV com ';').",
            discussion: """
                Cabeçalho: id_pagamento;gru;valor;data_pagamento;origem (ver docs/payment-files.md e \
                samples/pagamentos-exemplo.csv). Linhas inválidas são listadas (número e motivo) e as demais \
                são processadas. Pagamentos de GRU desconhecida, cancelada, já paga ou repetidos são guardados \
                e sinalizados, nunca descartados. O serviço de débitos classifica cada pagamento (em dia, em \
                atraso, parcial, excedente) e este comando aguarda o resumo.
                """
        )

        @Argument(help: "Arquivo de retorno bancário.")
        var arquivo: String

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                guard let data = FileManager.default.contents(atPath: arquivo) else {
                    throw OperatorError(message: "não foi possível ler o arquivo \(arquivo)")
                }
                let parsed = try PaymentFile.parse(try PaymentFile.decode(data))
                for error in parsed.errors { Console.error("linha inválida: \(error)") }
                if !pedido.json {
                    print("\(parsed.payments.count) pagamento(s) válido(s), \(parsed.errors.count) linha(s) inválida(s).")
                }
                guard !parsed.payments.isEmpty else {
                    throw OperatorError(message: "nenhum pagamento válido em \(arquivo)")
                }
                let name = URL(fileURLWithPath: arquivo).lastPathComponent
                try await pedido.submit(.importPayments(file: name, rows: parsed.payments.count), payments: parsed.payments,
                                        extra: ["linhas_invalidas": String(parsed.errors.count)])
            }
        }
    }
}
