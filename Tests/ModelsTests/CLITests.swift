import Foundation
import Testing

/// Runs the built `ressus` executable as a subprocess (it is built with the tests by
/// `swift build --build-tests`, next to the test bundle).
enum RessusBinary {
    static func url() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent("ressus") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CLITestError(message: "ressus binary not found (build it with `swift build --build-tests`); looked in "
                + candidates.map(\.path).joined(separator: ", "))
        }
        return found
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }
}

struct CLITestError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

@Suite("ressus CLI (subprocess)")
struct CLITests {
    @Test func csvComputesGoodLinesAndReportsBadOnes() throws {
        let input = """
            principal,vencimento,pagamento
            10000.00,2025-04-30,2025-06-10
            abc,2025-04-30,2025-06-10
            10000.00,2008-11-28,2009-03-05
            10000.00,2025-02-30,2025-06-10
            10000.00,2026-03-16,2026-03-31
            1000.00,2026-06-30,2026-10-15

            """
        let result = try RessusBinary.run(["calcular", "--csv"], stdin: input)
        #expect(result.stdout == """
            principal,vencimento,pagamento,taxa_multa,taxa_juros,multa,juros,total
            10000.00,2025-04-30,2025-06-10,13.53,2.14,1353.00,214.00,11567.00
            10000.00,2008-11-28,2009-03-05,10.00,3.91,1000.00,391.00,11391.00
            10000.00,2026-03-16,2026-03-31,4.95,0.00,495.00,0.00,10495.00

            """)
        #expect(result.status != 0)
        #expect(result.stderr.contains("linha 3:"))
        #expect(result.stderr.contains("'abc'"))
        #expect(result.stderr.contains("linha 5:"))
        #expect(result.stderr.contains("linha 7:"))
        #expect(result.stderr.contains("08/2026"))
        #expect(!result.stderr.contains("linha 2:"))
    }

    @Test func csvAllGoodExitsZero() throws {
        let result = try RessusBinary.run(["calcular", "--csv"],
                                          stdin: "principal,vencimento,pagamento\n10000.00,2025-04-30,2025-06-10\n")
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("10000.00,2025-04-30,2025-06-10,13.53,2.14,1353.00,214.00,11567.00\n"))
        #expect(result.stderr.isEmpty)
    }

    @Test func csvWithWrongHeaderFails() throws {
        let result = try RessusBinary.run(["calcular", "--csv"], stdin: "valor,data\n1,2\n")
        #expect(result.status != 0)
        #expect(result.stderr.contains("cabeçalho"))
    }

    @Test func singleCalculationTextAndJSON() throws {
        let args = ["calcular", "--principal", "10000.00", "--vencimento", "2025-04-30", "--pagamento", "2025-06-10"]
        let text = try RessusBinary.run(args)
        #expect(text.status == 0)
        #expect(text.stdout.contains("R$ 11.567,00"))
        #expect(text.stdout.contains("05/2025  1,14%"))
        let json = try RessusBinary.run(args + ["--json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["total"] as? String == "11567.00")
        #expect(object?["taxa_juros"] as? String == "2.14")
    }

    @Test func badInputIsAPortugueseMessage() throws {
        let result = try RessusBinary.run(["calcular", "--principal", "dez", "--vencimento", "2025-04-30",
                                           "--pagamento", "2025-06-10"])
        #expect(result.status == 1)
        #expect(result.stderr == "erro: --principal: 'dez' não é um valor numérico\n")
        let missing = try RessusBinary.run(["calcular", "--principal", "10"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("informe --vencimento"))
    }

    @Test func cnpjValidarExitCodes() throws {
        let valid = try RessusBinary.run(["cnpj", "validar", "12.ABC.345/01DE-35"])
        #expect(valid.status == 0)
        #expect(valid.stdout.contains("CNPJ válido"))
        let invalid = try RessusBinary.run(["cnpj", "validar", "11.222.333/0001-82"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("dígitos verificadores"))
    }

    @Test func prazo() throws {
        // Saturday 2026-02-14 before Carnaval: the count starts on Ash Wednesday.
        let result = try RessusBinary.run(["prazo", "--tipo", "impugnacao", "--ciencia", "2026-02-14"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("2026-03-20"))
        #expect(result.stdout.contains("Carnaval"))
        let bad = try RessusBinary.run(["prazo", "--tipo", "impugnacao", "--ciencia", "2026-02-30"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("não existe"))
    }
}
