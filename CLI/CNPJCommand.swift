import ArgumentParser
import Models

/// `ressus cnpj`: CNPJ utilities.
struct CNPJCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnpj",
        abstract: "Utilitários de CNPJ (numérico ou alfanumérico).",
        subcommands: [Validar.self]
    )

    /// `ressus cnpj validar VALOR`: exit status 0 only when valid.
    struct Validar: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validar",
            abstract: "Valida um CNPJ, com ou sem pontuação (ex.: 12.ABC.345/01DE-35)."
        )

        @Argument(help: "O CNPJ a validar.")
        var valor: String

        func run() throws {
            try Console.reportingErrors {
                let cnpj = try CNPJ(valor)
                print("CNPJ válido: \(cnpj.formatted) (raiz \(cnpj.root))")
            }
        }
    }
}
