import ArgumentParser
import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import Runtime

/// What the debt commands share: they record a request in the debt calculator's schema for the
/// running service, which decides it with its own clock; the command waits (bounded) for the answer.
struct DebtRequestOptions: ParsableArguments {
    @OptionGroup var banco: DatabaseOption

    @Option(name: .customLong("tempo-limite"), help: "Segundos de espera pela resposta do serviço de débitos.")
    var tempoLimite: Int = 30

    @Flag(name: .customLong("json"), help: "Imprime a resposta em JSON.")
    var json = false

    /// The debt calculator's schema (tests use their own).
    @Option(name: .customLong("esquema"), help: .hidden)
    var esquema: String = ServiceDescriptor.debtCalculator.schema

    /// A pool on the debt schema, migrated (safe: advisory lock); closed after `body`.
    func withMigratedPool<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = try banco.pool(schema: esquema, of: .debtCalculator)
        do {
            do {
                _ = try await PostgresMigrator(
                    schema: esquema, migrations: try RuntimeMigrations.with(service: DebtMigrations.all), logger: debtQuietLogger
                ).migrate(using: pool)
            } catch let error as PostgresError {
                throw OperatorError(message: "falha ao preparar o esquema \(esquema): \(error.message)")
            }
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Submits `request`, waits for the service's answer and prints it; refused → exit status 1,
    /// no answer in time → exit status 3 (the request stays recorded).
    func submit(_ request: DebtRequest, payments: [(row: Int, payment: IncomingPayment)] = [],
                extra: [String: String] = [:]) async throws {
        let wait = RequestWait(service: "serviço de débitos", seconds: tempoLimite)
        try wait.validate()
        try await withMigratedPool { pool in
            let id = try await pool.withTransaction { try DebtRequests.submit(request, payments: payments, on: $0) }
            let outcome = try await wait.outcome(of: id, DebtRequest.self, pool: pool, quiet: json)
            if json {
                var object = outcome.result.merging(extra) { a, _ in a }
                object["pedido"] = String(id)
                object["aceito"] = outcome.accepted ? "sim" : "nao"
                object["mensagem"] = outcome.message
                print(try jsonText(object))
            }
            try RequestWait.conclude(outcome, quiet: json)
        }
    }
}

var debtQuietLogger: Logger {
    var logger = Logger(label: "ressus.cli")
    logger.logLevel = .warning
    return logger
}

/// Pretty, sorted JSON of an `Encodable` value (event conventions: ISO dates).
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
