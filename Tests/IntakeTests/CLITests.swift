import Foundation
import IntakeCore
import TestSupport
import Testing

/// `ressus operadoras importar` and `ressus abi importar` as the operator runs them (subprocess).
@Suite struct CLITests {
    /// Runs `ressus` with `arguments` (output through temporary files, never blocking a thread).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments, timeout: .seconds(90))
    }

    @Test func importingTheSampleFilesAndReimportingThemSaysSo() async throws {
        try await IntakeTestDatabase.withSchema { pool, schema in
            let operadoras = try await Self.run(["operadoras", "importar", try Samples.url("operadoras-exemplo.csv").path, "--esquema", schema])
            #expect(operadoras.status == 0, "\(operadoras.error)")
            #expect(operadoras.output.contains("Operadoras: 3 novas, 0 atualizadas, 0 sem alteração, 0 rejeitadas."))
            let json = try await Self.run(["operadoras", "importar", try Samples.url("operadoras-exemplo.json").path, "--esquema", schema])
            #expect(json.output.contains("Operadoras: 0 novas, 0 atualizadas, 3 sem alteração, 0 rejeitadas."), "\(json)")

            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let sample = directory.appendingPathComponent("abi.csv")
            try FileManager.default.copyItem(at: try Samples.url("abi-exemplo.csv"), to: sample)
            let first = try await Self.run(["abi", "importar", sample.path, "--esquema", schema, "--aguardar", "0"])
            #expect(first.status == 0, "\(first.error)")
            #expect(first.output.contains("ABI 90: 6 atendimentos novos, 0 já existentes, 0 rejeitados (6 linhas lidas)."), "\(first.output)")
            #expect(first.output.contains("Notificação da ABI 90 agendada"))
            let again = try await Self.run(["abi", "importar", sample.path, "--esquema", schema, "--aguardar", "0"])
            #expect(again.output.contains("ABI 90 já recebida: 0 atendimentos novos, 6 já existentes"), "\(again.output)")
            let scheduled = try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM scheduled_work WHERE work_key = 'abi-90-round-1'")
            #expect(scheduled == 1)

            let bad = try Samples.write(Samples.header + "\n" + Samples.row(abi: 90, registro: "000001", n: 77) + "\n", named: "ruim.csv", in: directory)
            let report = directory.appendingPathComponent("relatorio.csv")
            let rejected = try await Self.run(["abi", "importar", bad.path, "--esquema", schema, "--aguardar", "0", "--relatorio", report.path])
            #expect(rejected.output.contains("1 rejeitados"), "\(rejected.output)")
            #expect(try String(contentsOf: report, encoding: .utf8) == "linha,motivo\n2,\"registro_ans: operadora 000001 não cadastrada\"\n")

            let missing = try await Self.run(["abi", "importar", directory.appendingPathComponent("nada.csv").path, "--esquema", schema])
            #expect(missing.status == 1 && missing.error.contains("erro: arquivo não encontrado"), "\(missing)")
        }
    }

    /// A 200,000-row file imports with bounded memory (peak RSS of the CLI process).
    @Test func aLargeFileImportsWithBoundedMemory() async throws {
        try await IntakeTestDatabase.withSchema { pool, schema in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("grande.csv")
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            let handle = try FileHandle(forWritingTo: file)
            let registros = ["123456", "234567", "345678"]
            var chunk = Samples.header + "\n"
            for n in 1...200_000 {
                chunk += Samples.row(abi: 400, registro: registros[n % 3], n: n, value: "\(n % 900 + 10).\(n % 100 / 10)5") + "\n"
                if n % 10_000 == 0 {
                    try handle.write(contentsOf: Data(chunk.utf8))
                    chunk = ""
                }
            }
            try handle.close()
            let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
            let result = try await Self.run(["abi", "importar", file.path, "--esquema", schema, "--aguardar", "0", "--medir-memoria"])
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.contains("ABI 400: 200.000 atendimentos novos"), "\(result.output)")
            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM atendimentos") == 200_000)
            let peakLine = result.error.split(separator: "\n").first { $0.hasPrefix("memória máxima: ") }
            let peakKiB = peakLine.flatMap { Int($0.dropFirst("memória máxima: ".count).prefix { $0.isNumber }) }
            #expect(peakKiB != nil, "\(result.error)")
            // The file is ~\(size / 1_048_576) MiB; the import must not hold it (or its rows) in memory.
            #expect((peakKiB ?? .max) < 300 * 1024, "peak \(peakKiB ?? -1) KiB for a \(size)-byte file")
        }
    }
}
