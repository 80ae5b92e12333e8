import ArgumentParser
import DeadlinesCore
import DebtCalculatorCore
import FNSTransferCore
import Foundation
import IntakeCore
import Models
import Postgres
import ReportPublisherCore
import Runtime

/// `ressus status`: counts per state of each service's schema (through the services' Core libraries).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Mostra as contagens por estado de cada serviço.",
        discussion: """
            Para cada serviço: as contagens por estado das suas tabelas e os eventos do seu outbox. Um serviço \
            cujo esquema ainda não existe aparece como não iniciado. --json produz o mesmo conteúdo em JSON.
            """
    )

    /// A service `ressus status` reports on: its name, title and the queries its Core exposes. To add a
    /// service, add one entry (its Core's `…Status.queries`).
    struct Source {
        let service: ServiceDescriptor
        let title: String
        let queries: [StatusQuery]
    }

    /// The services, in the order of the billing cycle.
    static let sources: [Source] = [
        Source(service: .intake, title: "Recepção (intake)", queries: IntakeStatus.queries),
        Source(service: .deadlines, title: "Prazos (deadlines)", queries: DeadlinesStatus.queries),
        Source(service: .debtCalculator, title: "Cobrança (debt-calculator)", queries: DebtStatus.queries),
        Source(service: .reportPublisher, title: "Portal e relatórios (report-publisher)", queries: ReportPublisherStatus.queries),
        Source(service: .fnsTransfer, title: "Repasses ao FNS (fns-transfer)", queries: FNSStatus.queries),
    ]

    @OptionGroup var banco: DatabaseOption

    @Flag(name: .customLong("json"), help: "Saída em JSON.")
    var json = false

    /// `servico=esquema`: another schema for a service (tests use their own).
    @Option(name: .customLong("esquema"), help: .hidden)
    var esquemas: [String] = []

    /// Compatibility: the deadlines schema.
    @Option(name: .customLong("esquema-prazos"), help: .hidden)
    var esquemaPrazos: String?

    func run() async throws {
        try await Console.reportingAsyncErrors {
            let schemas = try schemaOverrides()
            var reports: [Report] = []
            for source in Self.sources {
                let schema = schemas[source.service.name] ?? source.service.schema
                reports.append(try await read(source, schema: schema))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(["servicos": reports]), as: UTF8.self))
            } else {
                for report in reports { print(report.text) }
            }
        }
    }

    /// One service's counts, or that its schema does not exist yet.
    struct Report: Encodable {
        let title: String
        let started: Bool
        let status: ServiceStatus

        enum CodingKeys: String, CodingKey {
            case title = "titulo"
            case started = "iniciado"
            case status = "contagens"
        }

        var text: String {
            guard started else { return "\(title): não iniciado (esquema \(status.schema) inexistente)" }
            return "\(title):\n" + status.description.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n")
        }
    }

    private func read(_ source: Source, schema: String) async throws -> Report {
        let pool = try banco.pool(schema: schema, of: source.service)
        do {
            let report = try await pool.withConnection { connection in
                let exists = try connection.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]).isEmpty == false
                guard exists else {
                    return Report(title: source.title, started: false,
                                  status: ServiceStatus(service: source.service.name, schema: schema, sections: []))
                }
                return Report(title: source.title, started: true, status: try ServiceStatus.read(
                    service: source.service.name, schema: schema, queries: source.queries + StatusQuery.runtime, on: connection))
            }
            await pool.close()
            return report
        } catch {
            await pool.close()
            guard let error = error as? PostgresError else { throw error }
            throw OperatorError(message: "falha ao ler as contagens de \(source.title) (esquema \(schema)): \(error.message)")
        }
    }

    private func schemaOverrides() throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in esquemas {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw OperatorError(message: "--esquema deve ser servico=esquema, recebido '\(entry)'")
            }
            result[try service(named: parts[0]).name] = parts[1]
        }
        if let esquemaPrazos { result[ServiceDescriptor.deadlines.name] = esquemaPrazos }
        return result
    }
}
