import ArgumentParser
import Foundation
import IntakeCore
import Logging
import Models
import Postgres
import Runtime

/// `ressus operadoras`: the register of operadoras kept by the intake.
struct OperadorasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operadoras",
        abstract: "Cadastro de operadoras (registro ANS, CNPJ, razão social, e-mail).",
        subcommands: [Importar.self]
    )

    struct Importar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "importar",
            abstract: "Importa (inclui ou atualiza) operadoras de um arquivo CSV ou JSON.",
            discussion: """
                CSV com cabeçalho registro_ans,cnpj,razao_social,email (ou JSON: lista de objetos com esses \
                campos). Linhas inválidas são listadas com número e motivo; as demais são importadas. \
                Operadoras novas ou alteradas são publicadas para os demais serviços.
                """
        )

        @Argument(help: "Arquivo CSV ou JSON.")
        var arquivo: String

        @OptionGroup var alvo: IntakeTarget

        func run() async throws {
            try await reportingIntakeErrors {
                let url = URL(fileURLWithPath: arquivo)
                let summary = try await alvo.withPool { pool in
                    try await pool.withConnection { connection in
                        try OperadoraImporter().importFile(url, time: Date(), on: connection)
                    }
                }
                for rejection in summary.rejected {
                    Console.error("linha \(rejection.row): \(rejection.reason)")
                }
                print("Operadoras: \(grouped(summary.inserted)) novas, \(grouped(summary.updated)) atualizadas, "
                    + "\(grouped(summary.unchanged)) sem alteração, \(grouped(summary.rejected.count)) rejeitadas.")
            }
        }
    }
}

/// Where the intake's data is: the database and the intake schema (tests use their own schema).
struct IntakeTarget: ParsableArguments {
    @OptionGroup var banco: DatabaseOption

    @Option(name: .customLong("esquema"), help: "Esquema do serviço intake no banco (padrão: intake).")
    var esquema: String = ServiceDescriptor.intake.schema

    /// A pool on the intake schema, migrated (the runtime's tables and the intake's own).
    func migratedPool() async throws -> PostgresPool {
        let pool = try banco.pool(schema: esquema, of: .intake)
        do {
            var quiet = Logger(label: "ressus.cli.migrations")
            quiet.logLevel = .warning
            try await PostgresMigrator(schema: esquema, migrations: try RuntimeMigrations.with(service: IntakeMigrations.all), logger: quiet)
                .migrate(using: pool)
        } catch let error as PostgresError {
            await pool.close()
            throw OperatorError(message: "banco de dados indisponível ou sem permissão: \(error.message)")
        }
        return pool
    }

    /// Runs `body` with a migrated pool, closing it afterwards.
    func withPool<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = try await migratedPool()
        do {
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}

/// Runs `body`, turning intake file errors and database errors into Portuguese messages.
func reportingIntakeErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as IntakeFileError {
        Console.error("erro: \(error.message)")
        throw ExitCode(1)
    } catch let error as OperatorError {
        Console.error("erro: \(error.message)")
        throw ExitCode(error.exitCode)
    } catch let error as PostgresError {
        Console.error("erro no banco de dados: \(error.message)")
        throw ExitCode(1)
    }
}

/// Brazilian thousands grouping: 1234567 → "1.234.567".
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (index, character) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { out.append(".") }
        out.append(character)
    }
    return value < 0 ? "-" + out : out
}

/// The process's peak resident memory (VmHWM from /proc/self/status), in KiB; nil if unavailable.
func peakResidentKiB() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
}
