import ArgumentParser
import DebtCalculatorCore
import Foundation
import Models
import Postgres

/// `ressus selic importar|listar`: the versioned SELIC table of the debt calculator (DOMAIN §5). An
/// import records the months in the debt schema and, in the same transaction, publishes them as
/// `SelicRatesPublished` through the service's outbox (the report publisher extends its table from it).
struct SelicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selic",
        abstract: "Tabela SELIC mensal (juros de mora): importação dos meses publicados e consulta.",
        subcommands: [Importar.self, Listar.self]
    )

    struct Importar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "importar",
            abstract: "Importa meses da SELIC (BCB série 4390) de um CSV 'month,rate_percent' (ex.: 2026-08,1.18).",
            discussion: """
                Registra os meses novos na tabela do serviço de débitos e os publica (evento SelicRatesPublished \
                no tópico ressus.debts, pela saída do serviço). Um arquivo que altera a taxa de um mês já \
                publicado é recusado por inteiro, a menos que se informe --corrigir. Meses já presentes com a \
                mesma taxa são ignorados.
                """
        )

        @Argument(help: "Arquivo CSV com cabeçalho month,rate_percent.")
        var arquivo: String

        @Flag(name: .customLong("corrigir"), help: "Aceita alterar a taxa de meses já publicados (correção).")
        var corrigir = false

        @OptionGroup var pedido: DebtRequestOptions

        /// The topic of the published event (tests use their own).
        @Option(name: .customLong("topico"), help: .hidden)
        var topico: String = Topics.debts.name

        func run() async throws {
            try await Console.reportingAsyncErrors {
                guard let data = FileManager.default.contents(atPath: arquivo) else {
                    throw OperatorError(message: "não foi possível ler o arquivo SELIC '\(arquivo)'")
                }
                let rates = try SelicTable.parseCSV(String(decoding: data, as: UTF8.self))
                guard !rates.isEmpty else { throw OperatorError(message: "o arquivo '\(arquivo)' não tem meses") }
                if let negative = rates.first(where: { $0.value < .zero }) {
                    throw OperatorError(message: "taxa negativa para \(negative.key.brazilian): \(negative.value.formatted)")
                }
                let file = URL(fileURLWithPath: arquivo).lastPathComponent
                let (corrigir, topico) = (corrigir, topico)
                let result = try await pedido.withMigratedPool { pool in
                    try await pool.withTransaction { connection in
                        try DebtSelic.importRates(rates, file: file, allowingCorrections: corrigir, topic: topico,
                                                  time: Date(), on: connection)
                    }
                }
                if pedido.json { print(try jsonText(result)) }
                try report(result, read: rates.count)
            }
        }

        private func report(_ result: SelicImport, read: Int) throws {
            let novos = result.newMonths.map { "\($0.month.brazilian) (\($0.rate?.formatted ?? "-"))" }
            let correcoes = result.corrections.map {
                "\($0.month.brazilian): publicada \($0.published.formatted), arquivo \($0.corrected.formatted)"
            }
            switch result.outcome {
            case .correctionsRefused:
                throw OperatorError(message: "o arquivo altera taxas já publicadas: " + correcoes.joined(separator: "; ")
                    + (novos.isEmpty ? "" : ". Meses novos no arquivo: " + novos.joined(separator: ", "))
                    + ". Nada foi registrado; para corrigir, repita com --corrigir.")
            case .nothingNew:
                if !pedido.json {
                    print("Nada a importar: os \(read) mês(es) do arquivo já estão na tabela com as mesmas taxas "
                        + "(versão \(result.tableVersion)).")
                }
            case .recorded(let publication):
                guard !pedido.json else { return }
                print("Arquivo \(arquivo): \(read) mês(es) lido(s), \(result.unchanged) já presente(s) com a mesma taxa.")
                if !novos.isEmpty { print("Meses novos: " + novos.joined(separator: ", ")) }
                if !correcoes.isEmpty { print("Correções: " + correcoes.joined(separator: "; ")) }
                print("Publicação \(publication) registrada; tabela SELIC versão \(result.tableVersion)"
                    + (result.lastMonth.map { ", até \($0.brazilian)" } ?? "") + ".")
                print("Evento SelicRatesPublished na saída do serviço de débitos (tópico \(topico)); "
                    + "os valores calculados a partir de agora usam estes meses.")
                if !result.stillMissing.isEmpty {
                    print("Atenção: a tabela continua sem os meses "
                        + result.stillMissing.map(\.brazilian).joined(separator: ", ") + " (valores que os usam são provisórios).")
                }
            }
        }
    }

    struct Listar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "listar",
            abstract: "Mostra os últimos meses da tabela SELIC em vigor, a origem de cada um e a versão da tabela."
        )

        @Option(name: .customLong("meses"), help: "Quantos meses mostrar (os mais recentes).")
        var meses: Int = 12

        @OptionGroup var pedido: DebtRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                guard meses > 0 else { throw OperatorError(message: "--meses deve ser positivo") }
                let meses = self.meses
                let listing = try await pedido.withMigratedPool { pool in
                    try await pool.withConnection { try DebtSelic.listing(lastMonths: meses, on: $0) }
                }
                if pedido.json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    encoder.dateEncodingStrategy = .iso8601
                    print(String(decoding: try encoder.encode(listing), as: UTF8.self))
                    return
                }
                print("Tabela SELIC versão \(listing.tableVersion): \(listing.firstMonth.brazilian) a \(listing.lastMonth.brazilian) "
                    + "(semente \(listing.seedVersion) até \(listing.seedLastMonth.brazilian); "
                    + "\(listing.imports.count) importação(ões))")
                print("Últimos \(listing.months.count) mês(es):")
                for month in listing.months {
                    print("  \(month.month.brazilian)  \(month.rate.formatted)  "
                        + (month.fromSeed ? "semente" : "importado (\(month.origin))"))
                }
                if !listing.imports.isEmpty { print("Importações:") }
                for item in listing.imports {
                    var line = "  \(item.publication) em \(Self.timestamp(item.importedAt)) (arquivo \(item.file))"
                    if !item.newMonths.isEmpty { line += ": novos " + item.newMonths.joined(separator: ", ") }
                    if !item.corrections.isEmpty { line += "; correções " + item.corrections.map(Self.correction).joined(separator: ", ") }
                    print(line)
                }
                if !listing.missing.isEmpty {
                    print("Meses ausentes: " + listing.missing.map(\.brazilian).joined(separator: ", "))
                }
            }
        }

        /// `AAAA-MM:old_bp:new_bp` as `AAAA-MM de X% para Y%`.
        static func correction(_ stored: String) -> String {
            let parts = stored.split(separator: ":")
            guard parts.count == 3, let old = Int64(parts[1]), let new = Int64(parts[2]) else { return stored }
            return "\(parts[0]) de \(Percent(basisPoints: old).formatted) para \(Percent(basisPoints: new).formatted)"
        }

        /// `AAAA-MM-DD HH:MM UTC`.
        static func timestamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
            return formatter.string(from: date)
        }
    }
}
