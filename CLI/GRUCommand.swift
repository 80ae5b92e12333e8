import ArgumentParser
import DebtCalculatorCore
import Foundation
import Models

/// `ressus gru reemitir`: reissue of an open GRU (cancel + new GRU with acréscimos to the new due date).
struct GRUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru",
        abstract: "Guias de Recolhimento da União (GRU).",
        subcommands: [Reemitir.self]
    )

    struct Reemitir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reemitir",
            abstract: "Reemite uma GRU em aberto com novo vencimento e acréscimos até ele.",
            discussion: """
                A GRU atual é cancelada e substituída por uma nova (mesmo débito) com multa e juros calculados \
                até o novo vencimento; os acréscimos continuam contando do vencimento original. Sem \
                --vencimento, vence 10 dias após hoje (dia útil seguinte, se preciso).
                """
        )

        @Option(name: .customLong("gru"), help: "Número da GRU (17 dígitos).")
        var gru: String

        @Option(name: .customLong("vencimento"), help: "Novo vencimento (AAAA-MM-DD ou DD/MM/AAAA).")
        var vencimento: String?

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let number = try parseOption(gru, "--gru") { try GRUNumber($0) }
                let due = try vencimento.map { text in try parseOption(text, "--vencimento") { try CivilDate(parsing: $0) } }
                try await pedido.submit(.reissue(gru: number, dueDate: due))
            }
        }
    }
}

/// `ressus suspensao registrar|levantar`: suspensão judicial of a GRU's collection.
struct SuspensaoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspensao",
        abstract: "Suspensão judicial da cobrança de uma GRU.",
        subcommands: [Registrar.self, Levantar.self]
    )

    struct Registrar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registrar",
            abstract: "Suspende a cobrança de uma GRU por decisão judicial (sem CADIN nem dívida ativa; os acréscimos continuam).")

        @Option(name: .customLong("gru"), help: "Número da GRU (17 dígitos).")
        var gru: String

        @Option(name: .customLong("processo"), help: "Número do processo judicial.")
        var processo: String

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let number = try parseOption(gru, "--gru") { try GRUNumber($0) }
                guard !processo.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw OperatorError(message: "informe --processo")
                }
                try await pedido.submit(.suspend(gru: number, process: processo.trimmingCharacters(in: .whitespaces)))
            }
        }
    }

    struct Levantar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "levantar",
            abstract: "Levanta a suspensão judicial: a cobrança retoma (CADIN e dívida ativa, se os prazos passaram).")

        @Option(name: .customLong("gru"), help: "Número da GRU (17 dígitos).")
        var gru: String

        @Option(name: .customLong("processo"), help: "Número do processo judicial que suspendeu a GRU.")
        var processo: String

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let number = try parseOption(gru, "--gru") { try GRUNumber($0) }
                try await pedido.submit(.lift(gru: number, process: processo.trimmingCharacters(in: .whitespaces)))
            }
        }
    }
}
