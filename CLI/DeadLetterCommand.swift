import ArgumentParser
import Foundation
import Runtime

/// `ressus dlt`: inspects dead-letter topics (`<tópico>.DLT`) and republishes their messages.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlt",
        abstract: "Consulta e reenvia mensagens de tópicos de mensagens mortas (<tópico>.DLT).",
        subcommands: [Listar.self, Reenviar.self]
    )

    /// Connection options shared by the subcommands.
    struct Conexao: ParsableArguments {
        @OptionGroup var banco: DatabaseOption
        @OptionGroup var brokers: BrokerOption
    }

    /// `ressus dlt listar --topico T [--servico S]`.
    struct Listar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "listar",
            abstract: "Lista as mensagens do tópico de mensagens mortas de um tópico.",
            discussion: "Com --servico, mostra também quais mensagens esse serviço já reenviou."
        )

        @Option(name: .customLong("topico"), help: "O tópico de origem (ou o próprio <tópico>.DLT).")
        var topico: String

        @Option(name: .customLong("servico"), help: "Serviço consumidor: \(serviceNames).")
        var servico: String?

        @OptionGroup var conexao: Conexao

        func run() async throws {
            try await reportingErrors {
                let esquema = try servico.map { try service(named: $0).schema }
                let entradas = try await DeadLetters.list(
                    topic: topico, brokers: try conexao.brokers.list(),
                    databaseURL: esquema == nil ? nil : try conexao.banco.url(), schema: esquema)
                let dlt = DeadLetters.deadLetterTopic(topico)
                guard !entradas.isEmpty else {
                    print("Nenhuma mensagem em \(dlt).")
                    return
                }
                print("\(entradas.count) mensagem(ns) em \(dlt):")
                print(Tabela.render(cabecalho: cabecalho, linhas: entradas.map(linha)))
                if servico == nil { print("(REENVIADA \"?\": informe --servico para ver os reenvios desse serviço.)") }
            }
        }

        var cabecalho: [String] {
            ["POSIÇÃO", "EVENTO", "TIPO", "ORIGEM", "TENTATIVAS", "CONSUMIDOR", "DATA", "REENVIADA", "ERRO"]
        }

        func linha(_ entrada: DeadLetterEntry) -> [String] {
            let origem = "\(entrada.sourceTopic)[\(entrada.sourcePartition.map(String.init) ?? "?")]@"
                + (entrada.sourceOffset.map(String.init) ?? "?")
            return [
                "\(entrada.partition):\(entrada.offset)",
                entrada.eventID?.uuidString.lowercased() ?? "(ilegível)",
                entrada.eventType ?? "-",
                origem,
                entrada.attempts.map(String.init) ?? "-",
                entrada.consumer ?? "-",
                entrada.time.map(Tabela.dataHora) ?? "-",
                servico == nil ? "?" : (entrada.redrivenAt.map(Tabela.dataHora) ?? "não"),
                Tabela.resumo(entrada.error, limite: 80),
            ]
        }
    }

    /// `ressus dlt reenviar --topico T (--evento UUID | --todos) --servico NOME`.
    struct Reenviar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reenviar",
            abstract: "Republica mensagens mortas no tópico de origem para que o serviço as aplique.",
            discussion: """
                Apaga o registro 'dead_lettered' da caixa de entrada do serviço e republica a mensagem \
                original (chave, valor e cabeçalhos). As mensagens continuam no tópico .DLT (o Kafka não \
                apaga mensagens); o reenvio fica registrado e aparece em `ressus dlt listar --servico`. \
                --todos reenvia as mensagens do serviço ainda não reenviadas; mensagens ilegíveis (sem \
                envelope CloudEvents válido) não são reenviadas: precisam ser corrigidas na origem.
                """
        )

        @Option(name: .customLong("topico"), help: "O tópico de origem (ou o próprio <tópico>.DLT).")
        var topico: String

        @Option(name: .customLong("evento"), help: "Id (UUID) do evento a reenviar (repetível).")
        var eventos: [String] = []

        @Flag(name: .customLong("todos"), help: "Reenvia todas as mensagens do serviço ainda não reenviadas.")
        var todos = false

        @Option(name: .customLong("servico"), help: "Serviço consumidor: \(serviceNames).")
        var servico: String

        @Option(name: .customLong("consumidor"), help: "Nome do consumidor, se diferente do nome do serviço.")
        var consumidor: String?

        @OptionGroup var conexao: Conexao

        func run() async throws {
            try await reportingErrors {
                guard (eventos.isEmpty ? 0 : 1) + (todos ? 1 : 0) == 1 else {
                    throw OperatorError(message: "informe --evento UUID ou --todos (um dos dois)")
                }
                let ids = try eventos.map { texto in
                    guard let id = UUID(uuidString: texto) else { throw OperatorError(message: "--evento: '\(texto)' não é um UUID") }
                    return id
                }
                let alvo = try service(named: servico)
                let reenviadas = try await DeadLetters.redrive(
                    topic: topico, consumer: consumidor ?? alvo.name, eventIDs: todos ? nil : Set(ids),
                    brokers: try conexao.brokers.list(), databaseURL: try conexao.banco.url(), schema: alvo.schema)
                guard !reenviadas.isEmpty else {
                    print("Nenhuma mensagem a reenviar.")
                    return
                }
                print("\(reenviadas.count) mensagem(ns) reenviada(s):")
                for entrada in reenviadas {
                    let id = entrada.eventID?.uuidString.lowercased() ?? "(ilegível, posição \(entrada.partition):\(entrada.offset))"
                    print("  \(id) -> \(entrada.sourceTopic)")
                }
            }
        }
    }
}

/// Runs `body`, reporting operator, dead-letter and connection errors in Portuguese.
private func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as OperatorError {
        Console.error("erro: \(error.message)")
        throw ExitCode(error.exitCode)
    } catch let error as DeadLetters.Failure {
        switch error {
        case .topicNotFound(let topico): Console.error("erro: o tópico \(topico) não existe")
        case .timedOut(let topico, let lidas): Console.error("erro: tempo esgotado ao ler \(topico) (\(lidas) mensagens lidas)")
        case .eventsNotFound(let ids):
            Console.error("erro: nenhuma mensagem morta deste serviço para o(s) evento(s) "
                + ids.map { $0.uuidString.lowercased() }.joined(separator: ", "))
        }
        throw ExitCode(1)
    } catch let error as ExitCode {
        throw error
    } catch {
        Console.error("erro: falha ao acessar o Kafka ou o PostgreSQL: \(error)")
        throw ExitCode(1)
    }
}

/// A plain text table with aligned columns.
enum Tabela {
    static func render(cabecalho: [String], linhas: [[String]]) -> String {
        let todas = [cabecalho] + linhas
        let larguras = cabecalho.indices.map { coluna in todas.map { $0[coluna].count }.max() ?? 0 }
        return todas.map { linha in
            linha.enumerated().map { coluna, texto in
                coluna == linha.count - 1 ? texto : texto.padding(toLength: larguras[coluna], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `dd/MM/yyyy HH:mm:ss`, Brasília time.
    static func dataHora(_ instante: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "pt_BR")
        formatter.timeZone = BusinessTimeZone.zone
        formatter.dateFormat = "dd/MM/yyyy HH:mm:ss"
        return formatter.string(from: instante)
    }

    /// One line, at most `limite` characters.
    static func resumo(_ texto: String, limite: Int) -> String {
        let linha = texto.replacingOccurrences(of: "\n", with: " ")
        return linha.count <= limite ? linha : String(linha.prefix(limite - 1)) + "…"
    }
}
