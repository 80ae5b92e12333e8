import Foundation
import IntakeCore
import LoadGeneration
import Models
import Testing

@Suite struct LoadGeneratorTests {
    private func profile(seed: UInt64) -> LoadProfile {
        var profile = LoadProfile.standard(seed: seed)
        profile.operadoras = 40
        profile.atendimentos = 20_000
        profile.abis = 2
        profile.firstABI = 7
        return profile
    }

    private func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "ressus-carga-\(UUID().uuidString)"
    }

    private func files(in directory: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            result[name] = FileManager.default.contents(atPath: directory + "/" + name)
        }
        return result
    }

    @Test func sameSeedWritesTheSameBytesAndAnotherSeedDoesNot() throws {
        let first = temporaryDirectory(), second = temporaryDirectory(), other = temporaryDirectory()
        defer { for d in [first, second, other] { try? FileManager.default.removeItem(atPath: d) } }
        _ = try LoadGenerator(profile: profile(seed: 7)).generate(into: first)
        _ = try LoadGenerator(profile: profile(seed: 7)).generate(into: second)
        _ = try LoadGenerator(profile: profile(seed: 8)).generate(into: other)
        let a = try files(in: first), b = try files(in: second), c = try files(in: other)
        #expect(Set(a.keys) == ["operadoras.csv", "abi-000007.csv", "abi-000008.csv", "ciencias.csv", "impugnacoes.csv", "carga.json"])
        #expect(a == b)
        #expect(a["abi-000007.csv"] != c["abi-000007.csv"])
        #expect(a["operadoras.csv"] != c["operadoras.csv"])
    }

    /// Every generated row passes the intake's own validation, and the manifest's totals match the
    /// files (recomputed here: IVR 1.5 × SUS value, half-up, DOMAIN §2).
    @Test func rowsAreValidAndTotalsMatchTheFiles() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var progressCalls: [Int] = []
        let manifest = try LoadGenerator(profile: profile(seed: 11)).generate(into: directory, progressEvery: 5_000) {
            progressCalls.append($0)
        }
        #expect(progressCalls == [5_000, 10_000, 15_000, 20_000, 20_000])

        let operadoras = try TabularFile(url: URL(fileURLWithPath: directory + "/operadoras.csv"))
        var registros = Set<String>()
        while let row = try operadoras.next() {
            let operadora = try OperadoraImporter.validate(row.fields, row: row.number).get()
            registros.insert(operadora.registroANS.value)
        }
        #expect(registros.count == 40)

        let validator = AtendimentoValidator(knownOperadoras: registros)
        var keys = Set<String>()
        var susCentavos: Int64 = 0
        var toReimburse: Int64 = 0
        var perOperadora: [String: Int] = [:]
        for file in manifest.abiFiles {
            let rows = try TabularFile(url: URL(fileURLWithPath: directory + "/" + file.file))
            var count = 0
            while let row = try rows.next() {
                let valid = try validator.validate(row.fields, row: row.number).get()
                #expect(Int(row.fields["abi"]!) == file.abi)
                #expect(file.competencias.contains(valid.record.competencia))
                keys.insert(valid.record.document.value + valid.record.competencia.description)
                let centavos = valid.record.susValue.centavos
                susCentavos += centavos
                toReimburse += (centavos * 3 + 1) / 2  // 1.5 × value, rounded half-up
                perOperadora[valid.registroANS.value, default: 0] += 1
                count += 1
            }
            #expect(count == file.atendimentos)
        }
        #expect(keys.count == 20_000)
        #expect(manifest.atendimentos == 20_000)
        #expect(manifest.susValue.centavos == susCentavos)
        #expect(manifest.toReimburse.centavos == toReimburse)
        // DOMAIN §10: about R$1,400 charged per atendimento on average.
        let average = toReimburse / 20_000
        #expect((120_000...160_000).contains(average), "average to reimburse \(average) centavos")
        // Sizes are skewed (weight ∝ 1/(rank+10)): with 40 operadoras the largest holds ~3× the median.
        let sizes = perOperadora.values.sorted()
        #expect(sizes.last! > 2 * sizes[sizes.count / 2])
    }

    @Test func plansReferToGeneratedAtendimentosAndNotifications() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let manifest = try LoadGenerator(profile: profile(seed: 3)).generate(into: directory)
        var documents = Set<String>()
        var notifications = Set<String>()
        for file in manifest.abiFiles {
            let rows = try TabularFile(url: URL(fileURLWithPath: directory + "/" + file.file))
            while let row = try rows.next() {
                documents.insert(row.fields["numero_documento"]! + row.fields["competencia"]!)
                notifications.insert(row.fields["abi"]! + "/" + row.fields["registro_ans"]!)
            }
        }
        #expect(notifications.count == manifest.notifications)

        let impugnacoes = try TabularFile(url: URL(fileURLWithPath: directory + "/impugnacoes.csv"))
        var impugned = 0
        var decisions: [String: Int] = [:]
        while let row = try impugnacoes.next() {
            #expect(documents.contains(row.fields["numero_documento"]! + row.fields["competencia"]!))
            let decision = row.fields["decisao"]!
            decisions[decision, default: 0] += 1
            #expect((row.fields["valor_final"] ?? "").isEmpty == (decision != "parcial"))
            if row.fields["recurso"] == "sim" { #expect(decision == "indeferida") }
            impugned += 1
        }
        #expect(impugned == manifest.impugnacoes)
        // 10% of 20,000 impugned (binomial: well within ±300), every kind of decision present.
        #expect((1_700...2_300).contains(impugned))
        #expect(Set(decisions.keys) == ["deferida", "parcial", "indeferida"])

        let ciencias = try TabularFile(url: URL(fileURLWithPath: directory + "/ciencias.csv"))
        var explicit = 0
        while let row = try ciencias.next() {
            #expect(notifications.contains(row.fields["abi"]! + "/" + row.fields["registro_ans"]!))
            #expect((0..<10).contains(Int(row.fields["dias_apos_disponibilizacao"]!)!))
            explicit += 1
        }
        #expect(explicit == manifest.explicitCiencias)
    }

    @Test func invalidProfilesAreRefusedInPortuguese() {
        var bad = LoadProfile.standard(seed: 1)
        bad.operadoras = 0
        bad.deferidaPerMille = 900
        bad.parcialPerMille = 200
        #expect(bad.problems.contains("operadoras deve estar entre 1 e 99.999"))
        #expect(bad.problems.contains("deferidas + parciais não podem passar de 1000 por mil"))
        #expect(throws: LoadGenerationError.self) { try LoadGenerator(profile: bad).generate(into: temporaryDirectory()) }
    }
}
