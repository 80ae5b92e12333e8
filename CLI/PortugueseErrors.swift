import ArgumentParser
import Foundation

/// The operator reads Portuguese: Swift ArgumentParser's own messages (unknown subcommand, missing
/// argument, bad option value…) are English, so `ressus` runs its commands itself and translates
/// them before printing. Help and `--version` output is printed as ArgumentParser writes it.
extension Ressus {
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            guard code != .success, !message.isEmpty else { exit(withError: error) }
            Console.error(PortugueseErrors.translate(message))
            Foundation.exit(code.rawValue)
        }
    }
}

enum PortugueseErrors {
    /// ArgumentParser's English phrases and their Portuguese (`$1`, `$2`: what the pattern captured).
    static let phrases: [(pattern: String, template: String)] = [
        (#"^Error: "#, "erro: "),
        (#"Unexpected argument '(.*)'"#, "argumento inesperado '$1'"),
        (#"(\d+) unexpected arguments: (.*)"#, "$1 argumentos inesperados: $2"),
        (#"Missing expected argument '(.*)'"#, "falta o argumento obrigatório '$1'"),
        (#"Missing value for '(.*)'"#, "falta o valor de '$1'"),
        (#"Unknown option '(.*)'"#, "opção desconhecida '$1'"),
        (#"The value '(.*)' is invalid for '(.*)'"#, "o valor '$1' é inválido para '$2'"),
        (#"Please provide one of '(.*)'"#, "informe uma das opções '$1'"),
        (#"Did you mean '(.*)'\?"#, "Você quis dizer '$1'?"),
        (#"^Help: "#, "Ajuda: "),
        (#"^Usage: "#, "Uso: "),
        (#"See '(.*)' for more information\."#, "Veja '$1' para mais informações."),
    ]

    /// `message` with every known English phrase in Portuguese, line by line (the rest unchanged).
    static func translate(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var text = String(line)
            for (pattern, template) in phrases {
                text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
            }
            return text
        }.joined(separator: "\n")
    }
}
