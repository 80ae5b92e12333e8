import ArgumentParser
import FNSTransferCore
import Foundation
import Logging
import Models
import Postgres
import Runtime

/// `ressus fns …`: the repasse to the Fundo Nacional de Saúde (DOMAIN §8).
struct FNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fns",
        abstract: "Repasse ao Fundo Nacional de Saúde: repasse, demonstrativo, conciliação e exportação contábil.",
        subcommands: [Repassar.self, Demonstrativo.self, Conciliar.self, Contabil.self]
    )

    struct Repassar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "repassar",
            abstract: "Pede o repasse ao FNS dos pagamentos liquidados de um mês de arrecadação.",
            discussion: """
                O repasse de cada mês é feito automaticamente no último dia útil do mês seguinte; este comando \
                o antecipa. Só meses já encerrados podem ser repassados; um mês já repassado só recebe repasse \
                complementar das liquidações que chegaram depois. O serviço do FNS decide com o seu relógio; \
                este comando aguarda a resposta.
                """
        )

        @Option(name: .customLong("mes"), help: "Mês de arrecadação (AAAA-MM ou MM/AAAA).")
        var mes: String?

        @OptionGroup var alvo: FNSTarget

        @Option(name: .customLong("tempo-limite"), help: "Segundos de espera pela resposta do serviço do FNS.")
        var tempoLimite: Int = 30

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let month = try parseOption(mes, "--mes") { try YearMonth(parsing: $0) }
                let wait = RequestWait(service: "serviço do FNS", seconds: tempoLimite)
                try wait.validate()
                try await alvo.withPool { pool in
                    let id = try await pool.withTransaction { try OperatorRequestDesk.submit(FNSRequest.repasse(month: month), on: $0) }
                    try RequestWait.conclude(try await wait.outcome(of: id, FNSRequest.self, pool: pool))
                }
            }
        }
    }

    struct Demonstrativo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demonstrativo",
            abstract: "Demonstrativo de repasse de um mês de arrecadação (arrecadado, repassado, pendente).")

        @Option(name: .customLong("mes"), help: "Mês de arrecadação (AAAA-MM ou MM/AAAA).")
        var mes: String?

        @Flag(name: .customLong("json"), help: "Saída em JSON.")
        var json = false

        @OptionGroup var alvo: FNSTarget

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let month = try parseOption(mes, "--mes") { try YearMonth(parsing: $0) }
                let demonstrativo = try await alvo.withPool { pool in
                    try await pool.withConnection { try FNSReports.demonstrativo(month: month, on: $0) }
                }
                print(json ? try FNSText.json(demonstrativo) : FNSText.demonstrativo(demonstrativo))
            }
        }
    }

    struct Conciliar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conciliar",
            abstract: "Conciliação por mês: liquidado = repassado + pendente, ao centavo.",
            discussion: """
                Com --eventos, compara também o registrado com os eventos de pagamento liquidado do tópico de                 débitos (lidos do início, sem repetir pagamentos). Termina com código 1 se algum mês não conciliar.
                """)

        @Flag(name: .customLong("json"), help: "Saída em JSON.")
        var json = false

        @Flag(name: .customLong("eventos"), help: "Compara com os eventos de pagamento liquidado do tópico de débitos.")
        var eventos = false

        @OptionGroup var brokers: BrokerOption

        /// The debts topic (tests use their own).
        @Option(name: .customLong("topico"), help: .hidden)
        var topico: String = Topics.debts.name

        @OptionGroup var alvo: FNSTarget

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let months = try await alvo.withPool { pool in
                    try await pool.withConnection { try FNSReports.reconciliation(on: $0) }
                }
                var onTopic: [YearMonth: CountAmount]?
                if eventos {
                    var logger = Logger(label: "ressus.cli")
                    logger.logLevel = .warning
                    Console.error("lendo os pagamentos liquidados de \(topico)…")
                    do {
                        onTopic = try await SettledOnTopic.read(kafka: try brokers.kafka(clientID: "ressus-cli"), topic: topico, logger: logger)
                    } catch let error as OperatorError {
                        throw error
                    } catch {
                        throw OperatorError(message: "falha ao ler \(topico): \(error)")
                    }
                }
                let report = FNSReconciliationReport(months: months, onTopic: onTopic)
                print(json ? try FNSText.json(report) : FNSText.reconciliation(report))
                if !report.reconciles {
                    throw OperatorError(message: "há meses que não conciliam (veja acima)")
                }
            }
        }
    }

    struct Contabil: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "contabil",
            abstract: "Lançamentos contábeis de um mês (cobranças, pagamentos, repasses) em CSV.",
            discussion: """
                Uma linha por débito ou crédito; cada lançamento fecha em zero (débitos = créditos). Plano de \
                contas em docs/fns.md. CSV separado por ponto e vírgula, vírgula decimal, UTF-8.
                """)

        @Option(name: .customLong("mes"), help: "Mês (AAAA-MM ou MM/AAAA).")
        var mes: String?

        @Option(name: .customLong("saida"), help: "Arquivo de saída (padrão: a saída padrão).")
        var saida: String?

        @OptionGroup var alvo: FNSTarget

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let month = try parseOption(mes, "--mes") { try YearMonth(parsing: $0) }
                let entries = try await alvo.withPool { pool in
                    try await pool.withConnection { try FNSReports.journal(month: month, on: $0) }
                }
                let csv = FNSReports.journalCSV(entries)
                if let saida {
                    do {
                        try Data(csv.utf8).write(to: URL(fileURLWithPath: saida))
                    } catch {
                        throw OperatorError(message: "não foi possível gravar \(saida): \(error.localizedDescription)")
                    }
                    Console.error("\(entries.count) lançamento(s) de \(month.brazilian) gravados em \(saida)")
                } else {
                    print(csv, terminator: "")
                }
            }
        }
    }
}

/// `ressus dados-gerais`: the Dados Gerais do Ressarcimento ao SUS per year and overall.
struct DadosGeraisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dados-gerais",
        abstract: "Dados Gerais do Ressarcimento ao SUS por ano e no total, com o índice de adimplência.")

    @Flag(name: .customLong("json"), help: "Saída em JSON.")
    var json = false

    @OptionGroup var alvo: FNSTarget

    func run() async throws {
        try await Console.reportingAsyncErrors {
            let dados = try await alvo.withPool { pool in
                try await pool.withConnection { try FNSReports.dadosGerais(on: $0) }
            }
            print(json ? try FNSText.json(dados) : FNSText.dadosGerais(dados))
        }
    }
}

/// The FNS service's schema: `--banco`, and a hidden `--esquema` for tests.
struct FNSTarget: ParsableArguments {
    @OptionGroup var banco: DatabaseOption

    @Option(name: .customLong("esquema"), help: .hidden)
    var esquema: String = ServiceDescriptor.fnsTransfer.schema

    /// Runs `body` with a pool on the FNS schema (migrated first: safe, idempotent), closing it after.
    func withPool<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = try banco.pool(schema: esquema, of: .fnsTransfer)
        do {
            var logger = Logger(label: "ressus.cli")
            logger.logLevel = .warning
            do {
                _ = try await PostgresMigrator(
                    schema: esquema, migrations: try RuntimeMigrations.with(service: FNSMigrations.all), logger: logger
                ).migrate(using: pool)
            } catch let error as PostgresError {
                throw OperatorError(message: "falha ao preparar o esquema \(esquema): \(error.message)")
            }
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}
