import Foundation
import IntakeCore
import Models
import Postgres
import Runtime
import Testing

/// Importing operadoras and ABI files into a real PostgreSQL schema.
@Suite struct ImportTests {
    static func importer(_ batchSize: Int) -> ABIImporter {
        var importer = ABIImporter()
        importer.batchSize = batchSize
        return importer
    }

    @Test func operadorasAreUpsertedAndPublishedOnlyWhenNewOrChanged() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = try Samples.write("""
                registro_ans;cnpj;razao_social;email
                123456;11.222.333/0001-81;Saúde Exemplo;a@saude.com.br
                234567;12.ABC.345/01DE-36;Errada;b@x.com
                345678;12ABC34501DE35;"Vida; Plena";c@vida.com.br
                """, named: "ops.csv", in: directory)
            let first = try await pool.withConnection { try OperadoraImporter().importFile(file, time: Date(), on: $0) }
            #expect(first.inserted == 2 && first.updated == 0 && first.unchanged == 0)
            #expect(first.rejected.map(\.row) == [3])
            #expect(first.rejected.first?.reason.hasPrefix("cnpj: dígitos verificadores") == true)
            let events = try await IntakeTestDatabase.outbox(pool, type: OperadoraRegistered.eventType)
            #expect(try events.map { try $0.decode(OperadoraRegistered.self).razaoSocial } == ["Saúde Exemplo", "Vida; Plena"])
            #expect(events.map(\.partitionKey) == ["123456", "345678"])

            let again = try await pool.withConnection { try OperadoraImporter().importFile(file, time: Date(), on: $0) }
            #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == 2)
            let changed = try Samples.write("registro_ans,cnpj,razao_social,email\n123456,11222333000181,Saúde Exemplo S.A.,a@saude.com.br\n",
                                            named: "ops2.csv", in: directory)
            let update = try await pool.withConnection { try OperadoraImporter().importFile(changed, time: Date(), on: $0) }
            #expect(update.updated == 1)
            #expect(try await IntakeTestDatabase.outbox(pool, type: OperadoraRegistered.eventType).count == 3)
        }
    }

    @Test func abiCSVImportValidatesWritesAndReimportIsANoOp() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = try Samples.write([
                Samples.header,
                Samples.row(abi: 12, n: 1, value: "1534.21"),
                Samples.row(abi: 12, registro: "999999", n: 2),
                Samples.row(abi: 12, registro: "234567", n: 3, value: "\"1.000,00\""),
                Samples.row(abi: 13, n: 4),
                Samples.row(abi: 12, n: 5, value: "-3"),
                Samples.row(abi: 12, n: 1, value: "1534.21"),  // the same atendimento twice
            ].joined(separator: "\r\n") + "\r\n", named: "abi12.csv", in: directory)
            let report = directory.appendingPathComponent("rel.csv")
            let first = try await pool.withConnection { try Self.importer(2).importFile(file, abi: nil, reportURL: report, on: $0) }
            #expect(first.abi == (try ABINumber(12)))
            #expect(!first.abiAlreadyReceived)
            #expect(first.rowsRead == 6 && first.inserted == 2 && first.existing == 1 && first.rejected == 3)
            #expect(first.reportURL == report)
            let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
            #expect(lines == [
                "linha,motivo",
                "3,\"registro_ans: operadora 999999 não cadastrada\"",
                "5,\"abi: ABI 13 diferente da ABI 12 deste arquivo\"",
                "6,\"valor_sus: o valor deve ser maior que zero\"",
            ])
            let amounts = try await pool.withConnection { connection in
                try connection.query("SELECT amount FROM atendimentos ORDER BY document").map { try $0.decode(Int64.self, at: 0) }
            }
            #expect(amounts == [230_132, 150_000])
            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM rejected_rows") == 3)

            let again = try await pool.withConnection { try Self.importer(1_000).importFile(file, abi: try ABINumber(12), reportURL: report, on: $0) }
            #expect(again.abiAlreadyReceived && again.inserted == 0 && again.existing == 3 && again.rejected == 3)
            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM atendimentos") == 2)
            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM rejected_rows") == 3)
        }
    }

    @Test func abiJSONSampleImportsAndMissingColumnsAreRefused() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let report = directory.appendingPathComponent("rel.csv")
            try Data("linha,motivo\n9,\"de uma importação anterior\"\n".utf8).write(to: report)
            let summary = try await pool.withConnection {
                try ABIImporter().importFile(try Samples.url("abi-exemplo.json"), abi: nil, reportURL: report, on: $0)
            }
            #expect(summary.abi == (try ABINumber(91)) && summary.inserted == 3 && summary.rejected == 0 && summary.reportURL == nil)
            #expect(!FileManager.default.fileExists(atPath: report.path))  // the stale report is gone
            let total = try await IntakeTestDatabase.count(pool, "SELECT sum(amount)::bigint FROM atendimentos")
            // (1534.20 + 2150.75 + 689.00) × 1.5, each rounded half-up
            #expect(total == 230_130 + 322_613 + 103_350)

            let noABI = try Samples.write("registro_ans,tipo\n123456,AIH\n", named: "bad.csv", in: directory)
            await #expect(throws: IntakeFileError.self) {
                try await pool.withConnection { try ABIImporter().importFile(noABI, abi: nil, reportURL: report, on: $0) }
            }
        }
    }

    @Test func anABIAlreadyNotifiedRefusesNewAtendimentos() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let report = directory.appendingPathComponent("rel.csv")
            let first = try Samples.write([Samples.header, Samples.row(abi: 5, n: 1)].joined(separator: "\n"), named: "a.csv", in: directory)
            _ = try await pool.withConnection { try ABIImporter().importFile(first, abi: nil, reportURL: report, on: $0) }
            try await pool.withConnection { _ = try $0.execute("UPDATE abis SET closed_at = now()") }
            let more = try Samples.write([Samples.header, Samples.row(abi: 5, n: 1), Samples.row(abi: 5, n: 2)].joined(separator: "\n"),
                                         named: "b.csv", in: directory)
            let summary = try await pool.withConnection { try ABIImporter().importFile(more, abi: nil, reportURL: report, on: $0) }
            #expect(summary.inserted == 0 && summary.existing == 1 && summary.rejected == 1)
            #expect(try String(contentsOf: report, encoding: .utf8).contains("3,\"ABI 5 já notificada: atendimento novo não pode ser incluído\""))
        }
    }
}
