import ArgumentParser
import Foundation
import Kafka
import Postgres
import ReportPublisherCore
import Runtime

/// `ressus portal`: the operadoras' portal (report publisher): accounts and the read model.
struct PortalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: "Portal das operadoras: contas de acesso e reconstrução do modelo de leitura.",
        subcommands: [Conta.self, Reconstruir.self]
    )

    /// Where the report publisher's schema is (`--esquema` is for tests).
    struct Schema: ParsableArguments {
        @OptionGroup var banco: DatabaseOption

        @Option(name: .customLong("esquema"), help: .hidden)
        var esquema: String = ServiceDescriptor.reportPublisher.schema

        /// A pool on the schema, migrated (idempotent; the service applies the same migrations).
        func migratedPool() async throws -> PostgresPool {
            let pool = try banco.pool(schema: esquema, of: .reportPublisher)
            try await PostgresMigrator(schema: esquema, migrations: try RuntimeMigrations.with(service: ReportPublisherMigrations.all))
                .migrate(using: pool)
            return pool
        }
    }

    struct Conta: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conta",
            abstract: "Cria contas de operadoras e redefine senhas.",
            subcommands: [Criar.self, RedefinirSenha.self]
        )
    }

    /// The password, from a file (`--senha-arquivo`) or standard input (`--senha-arquivo -`); never
    /// from the command line, so it does not end up in the shell history or the process list.
    struct PasswordSource: ParsableArguments {
        @Option(name: .customLong("cnpj-raiz"), help: "Raiz do CNPJ da operadora (8 caracteres, 0-9 e A-Z).")
        var cnpjRaiz: String

        @Option(name: .customLong("senha-arquivo"),
                help: "Arquivo com a senha na primeira linha; '-' lê da entrada padrão.")
        var senhaArquivo: String

        func password() throws -> String {
            let text: String
            if senhaArquivo == "-" {
                text = readLine(strippingNewline: true) ?? ""
            } else {
                guard let data = FileManager.default.contents(atPath: senhaArquivo) else {
                    throw OperatorError(message: "não foi possível ler o arquivo de senha \(senhaArquivo)")
                }
                text = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                    .first.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r")) } ?? ""
            }
            guard !text.isEmpty else { throw OperatorError(message: "a senha está vazia") }
            return text
        }
    }

    struct Criar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "criar",
            abstract: "Cria a conta de acesso ao portal de uma raiz de CNPJ.",
            discussion: "A senha é guardada só como hash scrypt com sal; informe-a por arquivo ou pela entrada padrão.")

        @OptionGroup var conta: PasswordSource
        @OptionGroup var esquema: Schema

        func run() async throws {
            try await PortalCommand.run { pool in
                let password = try conta.password()
                let root = conta.cnpjRaiz
                try await pool.withTransaction { try PortalAccounts().create(root: root, password: password, on: $0) }
                print("conta criada para a raiz de CNPJ \(PortalAccounts.normalizedRoot(root) ?? root)")
            } pool: { try await esquema.migratedPool() }
        }
    }

    struct RedefinirSenha: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "redefinir-senha",
            abstract: "Define uma nova senha, encerra as sessões abertas e desbloqueia a conta.")

        @OptionGroup var conta: PasswordSource
        @OptionGroup var esquema: Schema

        func run() async throws {
            try await PortalCommand.run { pool in
                let password = try conta.password()
                let root = conta.cnpjRaiz
                try await pool.withTransaction { try PortalAccounts().resetPassword(root: root, password: password, on: $0) }
                print("senha redefinida para a raiz de CNPJ \(PortalAccounts.normalizedRoot(root) ?? root); sessões encerradas")
            } pool: { try await esquema.migratedPool() }
        }
    }

    struct Reconstruir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reconstruir",
            abstract: "Reconstrói o modelo de leitura do portal a partir dos tópicos, do início.",
            discussion: """
                Pare o report-publisher antes. Esvazia as tabelas do modelo de leitura (contas, sessões e \
                pedidos de ciência são mantidos) e relê os tópicos de operadoras, notificações, prazos e débitos \
                desde o início com um grupo de consumidores novo. Depois, inicie o serviço de novo.
                """)

        @OptionGroup var esquema: Schema
        @OptionGroup var brokers: BrokerOption

        @Option(name: .customLong("topicos"), help: .hidden)
        var topicos: String?

        func run() async throws {
            try await PortalCommand.run { pool in
                let kafka = try brokers.kafka(clientID: "ressus-cli-portal-rebuild")
                let topics = topicos.map { $0.split(separator: ",").map(String.init) } ?? ReadModelHandler.topics
                print("reconstruindo o modelo de leitura a partir de \(topics.joined(separator: ", "))…")
                let result = try await ReadModelRebuild.run(database: pool, kafka: kafka, topics: topics)
                print("modelo de leitura reconstruído: \(result.consumed) mensagens lidas, \(result.applied) eventos aplicados")
            } pool: { try await esquema.migratedPool() }
        }
    }

    /// Runs `body` with a migrated pool, reporting errors in Portuguese.
    static func run(_ body: (PostgresPool) async throws -> Void, pool make: () async throws -> PostgresPool) async throws {
        try await Console.reportingAsyncErrors {
            let pool = try await make()
            do {
                try await body(pool)
            } catch let error as PortalAccountError {
                await pool.close()
                throw OperatorError(message: error.description)
            } catch let error as KafkaError {
                await pool.close()
                throw OperatorError(message: "falha no Kafka: \(error)")
            } catch {
                await pool.close()
                throw error
            }
            await pool.close()
        }
    }
}
