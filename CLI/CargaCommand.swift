import ArgumentParser
import Foundation
import LoadGeneration
import Models

/// `ressus carga`: realistic loads for load tests (DOMAIN §10).
struct CargaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carga",
        abstract: "Cargas realistas para testes de carga (geração determinística).",
        subcommands: [Gerar.self, CargaReproduzir.self]
    )

    /// `ressus carga gerar --saida DIR`: writes the files of a load (same seed, same bytes).
    struct Gerar: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gerar",
            abstract: "Gera operadoras, ABIs, ciências e impugnações de uma carga, a partir de uma semente.",
            discussion: """
                Escreve em DIR: operadoras.csv, uma abi-NNNNNN.csv por ABI (um trimestre de competências cada), \
                ciencias.csv, impugnacoes.csv e o manifesto carga.json (parâmetros e totais). Os arquivos de \
                operadoras e ABIs são lidos por `ressus operadoras importar` e `ressus abi importar`. \
                Proporções em por mil. Ver docs/load.md.
                """
        )

        @Option(help: "Diretório onde escrever os arquivos.")
        var saida: String
        @Option(help: "Semente (a mesma semente gera os mesmos arquivos).")
        var semente: UInt64 = 1
        @Option(help: "Número de operadoras.")
        var operadoras: Int = 700
        @Option(help: "Número total de atendimentos.")
        var atendimentos: Int = 1_100_000
        @Option(help: "Número de ABIs (uma por trimestre).")
        var abis: Int = 4
        @Option(name: .customLong("primeira-abi"), help: "Número da primeira ABI.")
        var primeiraABI: Int = 1
        @Option(name: .customLong("primeiro-trimestre"), help: "Primeiro mês do primeiro trimestre (AAAA-MM).")
        var primeiroTrimestre: String = "2025-01"
        @Option(help: "Atendimentos impugnados, por mil.")
        var impugnacoes: Int = 100

        func run() throws {
            try Console.reportingErrors {
                var profile = LoadProfile.standard(seed: semente)
                profile.operadoras = operadoras
                profile.atendimentos = atendimentos
                profile.abis = abis
                profile.firstABI = primeiraABI
                profile.firstQuarter = try parseOption(primeiroTrimestre, "--primeiro-trimestre") { try YearMonth(parsing: $0) }
                profile.impugnacaoPerMille = impugnacoes
                guard profile.problems.isEmpty else {
                    throw OperatorError(message: profile.problems.joined(separator: "; "))
                }
                let started = ContinuousClock.now
                let total = atendimentos
                let manifest: LoadManifest
                do {
                    manifest = try LoadGenerator(profile: profile).generate(into: saida) { written in
                        let percent = written * 100 / max(total, 1)
                        Console.error("  \(grouped(written)) de \(grouped(total)) atendimentos (\(percent)%)")
                    }
                } catch let error as LoadGenerationError {
                    throw OperatorError(message: error.description)
                } catch {
                    throw OperatorError(message: "falha ao escrever em \(saida): \(error.localizedDescription)")
                }
                let elapsed = ContinuousClock.now - started
                print("Carga gerada em \(saida) (semente \(semente), \(elapsed.components.seconds) s):")
                print("  operadoras:        \(grouped(profile.operadoras))")
                print("  ABIs:              \(manifest.abiFiles.map { String($0.abi) }.joined(separator: ", "))")
                print("  atendimentos:      \(grouped(manifest.atendimentos))")
                print("  notificações:      \(grouped(manifest.notifications)) (\(grouped(manifest.explicitCiencias)) com ciência expressa)")
                print("  impugnações:       \(grouped(manifest.impugnacoes))")
                print("  valor SUS:         \(manifest.susValue.formatted)")
                print("  a ressarcir (IVR): \(manifest.toReimburse.formatted)")
            }
        }
    }
}
