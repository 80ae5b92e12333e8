import Foundation
import TestSupport
import Testing

/// The built `ressus` binary with bad, odd and hostile arguments: a clear Portuguese message on
/// standard error, a non-zero exit status, never a crash, a stack trace or ArgumentParser's English.
@Suite struct HostileCLIArgumentsTests {
    struct Case: CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let says: String
        var description: String { arguments.joined(separator: " ").prefix(80) + " → \(status) «\(says)»" }
    }

    static func check(_ c: Case, status: Int32, error: String, output: String) {
        #expect(status == c.status, "\(c): exit \(status), stderr: \(error.prefix(500))")
        #expect(error.hasPrefix("erro: "), "\(c): \(error.prefix(500))")
        #expect(error.contains(c.says), "\(c): \(error.prefix(500))")
        for english in ["Error:", "Usage:", "Fatal error", "Stack dump", "Backtrace", "Unexpected", "Missing"] {
            #expect(!error.contains(english) && !output.contains(english), "\(c) printed '\(english)': \(error.prefix(500))")
        }
        #expect(error.count < 2_000, "\(c): a \(error.count)-character message")
    }

    @Test func badArgumentsGetAPortugueseErrorAndANonZeroStatus() async throws {
        let cases = [
            Case(arguments: ["voar"], status: 64, says: "argumento inesperado 'voar'"),
            Case(arguments: ["--opcao-que-nao-existe"], status: 64, says: "opção desconhecida"),
            Case(arguments: ["abi", "importar"], status: 64, says: "falta o argumento obrigatório '<arquivo>'"),
            Case(arguments: ["abi", "importar", "a.csv", "b", "c"], status: 64, says: "2 argumentos inesperados"),
            Case(arguments: ["abi", "importar", "a.csv", "--abi"], status: 64, says: "falta o valor de '--abi <abi>'"),
            Case(arguments: ["abi", "importar", "a.csv", "--abi", "abc"], status: 1, says: "--abi:"),
            Case(arguments: ["abi", "importar", "a.csv", "--abi", "99999999999999999999999"], status: 1, says: "--abi:"),
            Case(arguments: ["abi", "importar", "a.csv", "--abi", "'; DROP TABLE abis;--"], status: 1, says: "--abi:"),
            Case(arguments: ["calcular", "--principal", "99999999999999999999", "--vencimento", "2025-01-10", "--pagamento", "2025-02-10"],
                 status: 1, says: "--principal:"),
            Case(arguments: ["calcular", "--principal", "100", "--vencimento", "2025-02-30", "--pagamento", "2025-03-10"],
                 status: 1, says: "--vencimento"),
            Case(arguments: ["calcular", "--principal", "100", "--vencimento", "0001-01-01", "--pagamento", "9999-12-31"],
                 status: 1, says: "a tabela SELIC"),
            Case(arguments: ["prazo", "--tipo", "<script>", "--ciencia", "2025-01-01"], status: 1, says: "tipo '<script>' desconhecido"),
            Case(arguments: ["prazo", "--tipo", "impugnacao", "--ciencia", "10000-01-01"], status: 1, says: "--ciencia"),
            Case(arguments: ["cnpj", "validar", String(repeating: "9", count: 100_000)], status: 1, says: "CNPJ deve ter 14 caracteres"),
        ]
        for c in cases {
            let run = try await ChildProcess.run("ressus", c.arguments, timeout: .seconds(60))
            Self.check(c, status: run.status, error: run.error, output: run.output)
        }
    }

    /// Bad files given to the import commands (against a private schema).
    @Test func badFilesGetAPortugueseErrorAndANonZeroStatus() async throws {
        try await IntakeTestDatabase.withSchema { _, schema in
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let latin1 = directory.appendingPathComponent("retorno.csv")
            try Data(Array("id_pagamento;gru;valor;data_pagamento;origem\nB1;1;10,00;2026-03-16;banco-s".utf8) + [0xE3, 0x6F, 0x0A]).write(to: latin1)
            let binary = directory.appendingPathComponent("binario.csv")
            try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: binary)
            let utf16 = directory.appendingPathComponent("utf16.csv")
            try Data([0xFF, 0xFE] + "registro_ans,cnpj\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: utf16)
            let cases = [
                Case(arguments: ["pagamentos", "importar", latin1.path], status: 1, says: "não é texto UTF-8 (linha 2"),
                Case(arguments: ["pagamentos", "importar", directory.appendingPathComponent("nada.csv").path], status: 1, says: "não foi possível ler"),
                Case(arguments: ["pagamentos", "importar", directory.path], status: 1, says: "não foi possível ler"),
                Case(arguments: ["abi", "importar", directory.path + "/../../../../../../etc/passwd", "--aguardar", "0"], status: 1,
                     says: "colunas ausentes"),
                Case(arguments: ["abi", "importar", binary.path, "--aguardar", "0"], status: 1, says: "colunas ausentes"),
                Case(arguments: ["abi", "importar", utf16.path, "--aguardar", "0"], status: 1, says: "UTF-16"),
                Case(arguments: ["abi", "importar", directory.path, "--aguardar", "0"], status: 1, says: "é uma pasta"),
                Case(arguments: ["operadoras", "importar", utf16.path], status: 1, says: "UTF-16"),
                Case(arguments: ["operadoras", "importar", binary.path], status: 1, says: "colunas ausentes"),
            ]
            for c in cases {
                // `pagamentos importar` reads the file before it needs the database (and has no --esquema).
                let schemaOption = c.arguments[0] == "pagamentos" ? [] : ["--esquema", schema]
                let run = try await ChildProcess.run("ressus", c.arguments + schemaOption, timeout: .seconds(60))
                Self.check(c, status: run.status, error: run.error, output: run.output)
            }
        }
    }
}
