import ArgumentParser
import DeadlinesCore
import Foundation
import Models

/// `ressus recurso registrar|decidir`: the second instance (final), decided by the deadlines service.
struct RecursoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recurso",
        abstract: "Recursos contra decisões de impugnação e suas decisões (segunda instância, definitiva).",
        subcommands: [Registrar.self, Decidir.self]
    )

    struct Registrar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registrar",
            abstract: "Registra o recurso contra a decisão de uma impugnação (prazo: 10 dias da ciência da decisão).",
            discussion: "Fora do prazo, o recurso é recusado com o motivo e fica registrado como recusado."
        )

        @OptionGroup var alvo: FilingTarget

        @Option(name: .customLong("texto"), help: "Texto do recurso.")
        var texto: String?

        @OptionGroup var pedido: DeadlinesRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let request = OperatorRequest.recurso(
                    abi: try alvo.abiNumber(), registroANS: try alvo.registroANS(), document: try alvo.document(),
                    competencia: try alvo.competencia.parsed(), text: try requiredText(texto, "--texto"))
                try await pedido.submit(request)
            }
        }
    }

    struct Decidir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decidir",
            abstract: "Registra a decisão (definitiva) sobre o recurso de um atendimento.",
            discussion: """
                deferida: atendimento anulado (valor 0); parcial: valor corrigido (--valor); indeferida: prevalece a \
                decisão da impugnação. O atendimento é liberado para cobrança na ciência desta decisão.
                """
        )

        @OptionGroup var decisao: DecisionOptions
        @OptionGroup var pedido: DeadlinesRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                try await pedido.submit(try decisao.request(instance: .recurso))
            }
        }
    }
}
