import Foundation
import Models

/// What a generation wrote, with its totals; saved as `carga.json` next to the files so a replay can
/// check that everything reconciled.
public struct LoadManifest: Codable, Sendable, Hashable {
    public struct ABIFile: Codable, Sendable, Hashable {
        public var abi: Int
        public var file: String
        public var competencias: [YearMonth]
        public var atendimentos: Int
        public var notifications: Int
        public var susValue: Money
        public var toReimburse: Money
    }

    public static let currentFormat = "ressus-carga-v1"
    public var format: String
    public var profile: LoadProfile
    public var operadorasFile: String
    public var abiFiles: [ABIFile]
    public var cienciasFile: String
    public var impugnacoesFile: String
    public var atendimentos: Int
    public var notifications: Int
    public var explicitCiencias: Int
    public var impugnacoes: Int
    public var susValue: Money
    public var toReimburse: Money
}

/// Generates a load deterministically from a ``LoadProfile``: the same seed and profile write the
/// same bytes. Files (in the layouts the import commands read, see docs/intake-files.md and
/// docs/load.md): `operadoras.csv`, one `abi-NNNNNN.csv` per ABI, `ciencias.csv` (which notifications
/// get an explicit ciência, and how many days after being made available), `impugnacoes.csv` (the
/// impugnações, their decisions and recursos) and the manifest `carga.json`.
public struct LoadGenerator {
    public let profile: LoadProfile
    public let policy: RulesPolicy

    public init(profile: LoadProfile, policy: RulesPolicy = .standard) {
        self.profile = profile
        self.policy = policy
    }

    /// Writes the files into `directory` (created if needed); `progress` is called with the number of
    /// atendimentos written so far, every `progressEvery` rows and at the end.
    public func generate(into directory: String, progressEvery: Int = 100_000,
                         progress: (Int) -> Void = { _ in }) throws -> LoadManifest {
        let problems = profile.problems
        guard problems.isEmpty else { throw LoadGenerationError(problems.joined(separator: "; ")) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let operadoras = GeneratedOperadora.all(for: profile)
        try writeOperadoras(operadoras, to: directory + "/operadoras.csv")

        let picker = WeightedPicker(weights: operadoras.map(\.weight))
        let ciencias = try CSVLineWriter(path: directory + "/ciencias.csv",
                                         header: "abi,registro_ans,dias_apos_disponibilizacao")
        let impugnacoes = try CSVLineWriter(
            path: directory + "/impugnacoes.csv",
            header: "abi,registro_ans,numero_documento,competencia,fundamento,decisao,valor_final,recurso,decisao_recurso")
        var random = SeededGenerator.derived(seed: profile.seed, stream: 2)
        var planRandom = SeededGenerator.derived(seed: profile.seed, stream: 3)
        var manifest = LoadManifest(
            format: LoadManifest.currentFormat, profile: profile, operadorasFile: "operadoras.csv", abiFiles: [],
            cienciasFile: "ciencias.csv", impugnacoesFile: "impugnacoes.csv", atendimentos: 0, notifications: 0,
            explicitCiencias: 0, impugnacoes: 0, susValue: .zero, toReimburse: .zero)

        var written = 0
        for abiIndex in 0..<profile.abis {
            let abi = profile.firstABI + abiIndex
            let count = profile.atendimentos / profile.abis + (abiIndex < profile.atendimentos % profile.abis ? 1 : 0)
            let months = (0..<3).map { profile.firstQuarter.adding(months: 3 * abiIndex + $0) }
            let name = "abi-\(String(repeating: "0", count: max(0, 6 - String(abi).count)))\(abi).csv"
            let file = try CSVLineWriter(path: directory + "/" + name, header: AtendimentoRowWriter.header)
            var seen = [Bool](repeating: false, count: operadoras.count)
            var abiFile = LoadManifest.ABIFile(abi: abi, file: name, competencias: months, atendimentos: count,
                                               notifications: 0, susValue: .zero, toReimburse: .zero)
            for _ in 0..<count {
                let operadoraIndex = picker.pick(&random)
                seen[operadoraIndex] = true
                let operadora = operadoras[operadoraIndex]
                let row = AtendimentoRowWriter.write(
                    abi: abi, registroANS: operadora.registroANS, serial: written,
                    competencia: months[random.below(3)], random: &random, to: file)
                let amount = Valuation.amountToReimburse(
                    value: Money(centavos: Int64(row.susCentavos)), competencia: row.competencia, policy: policy).amount
                abiFile.susValue += Money(centavos: Int64(row.susCentavos))
                abiFile.toReimburse += amount
                if planRandom.chance(perMille: profile.impugnacaoPerMille) {
                    writeImpugnacao(abi: abi, registroANS: operadora.registroANS, document: row.document,
                                    competencia: row.competencia, amount: amount, random: &planRandom, to: impugnacoes)
                    manifest.impugnacoes += 1
                }
                written += 1
                if written % progressEvery == 0 { progress(written) }
            }
            try file.close()
            for (index, operadora) in operadoras.enumerated() where seen[index] {
                abiFile.notifications += 1
                if planRandom.chance(perMille: profile.explicitCienciaPerMille) {
                    ciencias.appendDigits(abi)
                    ciencias.comma()
                    ciencias.append(operadora.registroANS)
                    ciencias.comma()
                    ciencias.appendDigits(planRandom.below(policy.tacitCienciaDays))
                    ciencias.endLine()
                    manifest.explicitCiencias += 1
                }
            }
            manifest.abiFiles.append(abiFile)
            manifest.notifications += abiFile.notifications
            manifest.susValue += abiFile.susValue
            manifest.toReimburse += abiFile.toReimburse
        }
        try ciencias.close()
        try impugnacoes.close()
        manifest.atendimentos = written
        progress(written)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: directory + "/carga.json"))
        return manifest
    }

    private func writeOperadoras(_ operadoras: [GeneratedOperadora], to path: String) throws {
        let file = try CSVLineWriter(path: path, header: "registro_ans,cnpj,razao_social,email")
        for operadora in operadoras {
            file.append("\(operadora.registroANS),\(operadora.cnpj),\"\(operadora.razaoSocial)\",\(operadora.email)")
            file.endLine()
        }
        try file.close()
    }

    /// One impugnação with its decision and, for some indeferidas, a recurso and its decision.
    private func writeImpugnacao(abi: Int, registroANS: String, document: String, competencia: YearMonth,
                                 amount: Money, random: inout SeededGenerator, to file: CSVLineWriter) {
        let roll = random.below(1000)
        let decision = roll < profile.deferidaPerMille ? "deferida"
            : roll < profile.deferidaPerMille + profile.parcialPerMille ? "parcial" : "indeferida"
        file.appendDigits(abi)
        file.comma()
        file.append(registroANS)
        file.comma()
        file.append(document)
        file.comma()
        file.append(competencia.description)
        file.comma()
        file.append(random.chance(perMille: 700) ? "tecnico" : "administrativo")
        file.comma()
        file.append(decision)
        file.comma()
        if decision == "parcial" {
            // The corrected value: 30% to 90% of the amount, never zero.
            file.appendReais(centavos: max(1, Int(amount.centavos) * random.inRange(30...90) / 100))
        }
        file.comma()
        let recurso = decision == "indeferida" && random.chance(perMille: profile.recursoPerMille)
        file.append(recurso ? "sim" : "nao")
        file.comma()
        if recurso { file.append(random.chance(perMille: profile.recursoDeferidoPerMille) ? "deferida" : "indeferida") }
        file.endLine()
    }
}

/// Picks an index with probability proportional to its weight (binary search over running sums).
struct WeightedPicker {
    private let runningSums: [Int]

    init(weights: [Int]) {
        var sum = 0
        runningSums = weights.map { sum += max(1, $0); return sum }
    }

    func pick(_ random: inout SeededGenerator) -> Int {
        let roll = random.below(runningSums[runningSums.count - 1])
        var low = 0
        var high = runningSums.count - 1
        while low < high {
            let middle = (low + high) / 2
            if runningSums[middle] > roll { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
