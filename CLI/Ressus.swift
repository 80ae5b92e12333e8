import ArgumentParser
import Foundation
import Models

/// The root command (entry point of `ressus`); later issues add subcommands here.
@main
struct Ressus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ressus",
        abstract: "Ferramenta do operador do Ressarcimento ao SUS (ANS).",
        subcommands: [
            Calcular.self, CNPJCommand.self, Prazo.self, RelogioCommand.self,
            OutboxCommand.self, DeadLetterCommand.self,
            OperadorasCommand.self, AbiCommand.self,
            CienciaCommand.self, ImpugnacaoCommand.self, RecursoCommand.self, StatusCommand.self,
            CargaCommand.self,
            FNSCommand.self, DadosGeraisCommand.self,
            PortalCommand.self,
            PagamentosCommand.self, DebitosCommand.self, GRUCommand.self, SuspensaoCommand.self, ParcelamentoCommand.self,
            SelicCommand.self,
        ]
    )
}

/// Input errors reported to the operator in Portuguese (exit status 1 unless told otherwise).
struct OperatorError: Error {
    let message: String
    var exitCode: Int32 = 1
}

enum Console {
    /// Prints `text` and a newline to standard output at once, even into a file or a pipe (where
    /// output is otherwise held until the buffer fills): for progress of a command that waits.
    static func progress(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Writes `text` and a newline to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Runs `body`, turning operator and domain errors into a Portuguese message and an exit status.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as OperatorError {
            Console.error("erro: \(error.message)")
            throw ExitCode(error.exitCode)
        } catch let error as any DomainError {
            Console.error("erro: \(error.descricao)")
            throw ExitCode(1)
        }
    }
}

/// Parses an option value with a domain parser, naming the option in the Portuguese error.
func parseOption<T>(_ value: String?, _ option: String, _ parse: (String) throws -> T) throws -> T {
    guard let value else { throw OperatorError(message: "informe \(option)") }
    do {
        return try parse(value)
    } catch let error as any DomainError {
        throw OperatorError(message: "\(option): \(error.descricao)")
    }
}
