import ArgumentParser
import Foundation
import Postgres
import Runtime

/// `ressus outbox`: the services' transactional outboxes (republish, state).
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Saída de eventos dos serviços (outbox transacional): reenvio e situação.",
        subcommands: [Reenviar.self, Situacao.self]
    )

    /// Which service's outbox, and where its database is.
    struct Alvo: ParsableArguments {
        @Option(name: .customLong("servico"), help: "Serviço: \(serviceNames).")
        var servico: String

        @Option(name: .customLong("esquema"), help: "Esquema do serviço no banco (padrão: o do serviço).")
        var esquema: String?

        @OptionGroup var banco: DatabaseOption

        func schema() throws -> String {
            try esquema ?? service(named: servico).schema
        }

        func pool() throws -> PostgresPool {
            try banco.pool(schema: try schema(), of: try service(named: servico))
        }
    }

    /// `ressus outbox reenviar`: marks published events pending again, from a time or an event.
    struct Reenviar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reenviar",
            abstract: "Marca eventos já publicados para nova publicação, na ordem original.",
            discussion: """
                Use após o broker perder dados. Informe --desde (instante ISO 8601, ex. \
                2026-01-01T00:00:00Z) ou --evento (id do evento): esse ponto e tudo o que veio depois \
                é publicado de novo pelo serviço em execução; os consumidores descartam o que já aplicaram.
                """
        )

        @OptionGroup var alvo: Alvo

        @Option(name: .customLong("desde"), help: "Reenviar a partir deste instante (ISO 8601).")
        var desde: String?

        @Option(name: .customLong("evento"), help: "Reenviar a partir deste evento (UUID), inclusive.")
        var evento: String?

        func run() async throws {
            try await reportingOutboxErrors {
                let replay = OutboxReplay(pool: try alvo.pool())
                let schema = try alvo.schema()
                let count: Int
                switch (desde, evento) {
                case (let text?, nil):
                    guard let since = parseInstant(text) else {
                        throw OperatorError(message: "--desde deve ser um instante ISO 8601 (ex. 2026-01-01T00:00:00Z), recebido '\(text)'")
                    }
                    count = try await replay.replay(since: since)
                case (nil, let text?):
                    guard let id = UUID(uuidString: text) else {
                        throw OperatorError(message: "--evento deve ser um UUID, recebido '\(text)'")
                    }
                    do {
                        count = try await replay.replay(fromEventId: id)
                    } catch OutboxReplay.ReplayError.eventNotFound {
                        throw OperatorError(message: "evento \(id) não encontrado na outbox do esquema \(schema) "
                            + "(nunca gravado aqui ou já removido pela retenção)")
                    }
                default:
                    throw OperatorError(message: "informe --desde ou --evento (apenas um)")
                }
                print("\(count) evento(s) marcado(s) para reenvio na outbox do esquema \(schema).")
            }
        }
    }

    /// `ressus outbox situacao`: pending and sent counts, oldest pending age.
    struct Situacao: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "situacao", abstract: "Mostra quantos eventos aguardam publicação e há quanto tempo.")

        @OptionGroup var alvo: Alvo

        func run() async throws {
            try await reportingOutboxErrors {
                let status = try await OutboxReplay(pool: try alvo.pool()).status()
                print("Outbox do esquema \(try alvo.schema())")
                print("Pendentes: \(status.pending)")
                print("Enviados (retidos): \(status.sent)")
                if let age = status.oldestPendingAgeSeconds, let created = status.oldestPendingCreatedAt {
                    print("Pendente mais antigo: há \(duration(age)) (gravado em \(ISO8601DateFormatter().string(from: created)))")
                } else {
                    print("Pendente mais antigo: nenhum")
                }
            }
        }
    }
}

/// `2 h 5 min`, `3 min 20 s`, `42 s`.
private func duration(_ seconds: Int) -> String {
    switch seconds {
    case 3_600...: return "\(seconds / 3_600) h \(seconds % 3_600 / 60) min"
    case 60...: return "\(seconds / 60) min \(seconds % 60) s"
    default: return "\(seconds) s"
    }
}

/// `2026-01-01T00:00:00Z`, with or without fractional seconds.
private func parseInstant(_ text: String) -> Date? {
    let plain = ISO8601DateFormatter()
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return plain.date(from: text) ?? fractional.date(from: text)
}

/// Runs `body`, turning operator and database errors into a Portuguese message and exit status 1.
private func reportingOutboxErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as OperatorError {
        Console.error("erro: \(error.message)")
        throw ExitCode(error.exitCode)
    } catch let error as PostgresError {
        if error.sqlState == "42P01" {
            Console.error("erro: o esquema não tem a tabela outbox (o serviço já foi iniciado alguma vez?)")
        } else {
            Console.error("erro: falha no banco de dados: \(error.message)")
        }
        throw ExitCode(1)
    }
}
