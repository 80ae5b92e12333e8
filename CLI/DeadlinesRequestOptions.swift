import ArgumentParser
import DeadlinesCore
import Foundation
import Logging
import Models
import Postgres
import Runtime

/// What the deadlines commands share: they record a request in the deadlines schema for the running
/// deadlines service, which decides it with its own clock; the command waits (bounded) for the answer.
struct DeadlinesRequestOptions: ParsableArguments {
    @OptionGroup var banco: DatabaseOption

    @Option(name: .customLong("tempo-limite"), help: "Segundos de espera pela resposta do serviço de prazos.")
    var tempoLimite: Int = 30

    /// The deadlines schema (tests use their own).
    @Option(name: .customLong("esquema"), help: .hidden)
    var esquema: String = ServiceDescriptor.deadlines.schema

    /// Submits `request`, waits for the service's answer and prints it; refused → exit status 1,
    /// no answer in time → exit status 3 (the request stays recorded).
    func submit(_ request: OperatorRequest) async throws {
        try wait.validate()
        let pool = try banco.pool(schema: esquema, of: .deadlines)
        do {
            try await submit(request, pool: pool)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    private func submit(_ request: OperatorRequest, pool: PostgresPool) async throws {
        let id: Int64
        do {
            _ = try await PostgresMigrator(
                schema: esquema, migrations: try RuntimeMigrations.with(service: DeadlinesMigrations.all), logger: quietLogger
            ).migrate(using: pool)
            id = try await pool.withTransaction { try OperatorRequestDesk.submit(request, on: $0) }
        } catch let error as PostgresError {
            throw OperatorError(message: "falha ao registrar o pedido no banco: \(error.message)")
        }
        try RequestWait.conclude(try await wait.outcome(of: id, OperatorRequest.self, pool: pool))
    }

    private var wait: RequestWait {
        RequestWait(service: "serviço de prazos", seconds: tempoLimite, hint: " (veja ressus status)")
    }

    private var quietLogger: Logger {
        var logger = Logger(label: "ressus.cli")
        logger.logLevel = .warning
        return logger
    }
}

extension Console {
    /// Runs `body`, turning operator and domain errors into a Portuguese message and an exit status.
    static func reportingAsyncErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as OperatorError {
            Console.error("erro: \(error.message)")
            throw ExitCode(error.exitCode)
        } catch let error as any DomainError {
            Console.error("erro: \(error.descricao)")
            throw ExitCode(1)
        } catch let error as ExitCode {
            throw error
        } catch let error as PostgresError {
            Console.error("erro: falha no banco de dados: \(error.message)")
            throw ExitCode(1)
        }
    }
}
