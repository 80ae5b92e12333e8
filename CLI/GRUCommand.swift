import ArgumentParser
import DebtCalculatorCore
import Foundation
import Models

/// `ressus gru reemitir|listar`: reissue of an open GRU (cancel + new GRU with acréscimos to the new due
/// date) and the list of GRUs.
struct GRUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru",
        abstract: "Guias de Recolhimento da União (GRU).",
        subcommands: [Reemitir.self, Listar.self]
    )

    struct Listar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "listar",
            abstract: "Lista as GRUs (de uma operadora e/ou numa situação), em ordem de número.")

        @Option(name: .customLong("operadora"), help: "Registro ANS da operadora (6 dígitos).")
        var operadora: String?

        @Option(name: .customLong("situacao"), help: "Situação: \(GRUState.allCases.map(\.rawValue).joined(separator: ", ")).")
        var situacao: String?

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let registro = try operadora.map { text in try parseOption(text, "--operadora") { try RegistroANS($0) } }
                let state = try situacao.map { text -> GRUState in
                    guard let state = GRUState(rawValue: text.replacingOccurrences(of: " ", with: "_")) else {
                        throw OperatorError(message: "--situacao deve ser uma de: "
                            + GRUState.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    return state
                }
                let listing = try await pedido.withMigratedPool { pool in
                    try await pool.withConnection { try GRUListing.read(registroANS: registro, state: state, on: $0) }
                }
                if pedido.json {
                    print(try jsonText(listing))
                    return
                }
                print("\(listing.grus.count) GRU(s)")
                for entry in listing.grus {
                    var line = "\(entry.gru.value)  operadora \(entry.registroANS.value)  \(entry.state.rotulo)  "
                        + "venc. \(entry.dueDate.brazilian)  valor \(entry.amount.formatted)  em aberto \(entry.openPrincipal.formatted)"
                    if let plan = entry.parcelamentoID, let k = entry.installment { line += "  parcela \(k) de \(plan)" }
                    if entry.inCadin { line += "  [CADIN]" }
                    print(line)
                }
            }
        }
    }

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
