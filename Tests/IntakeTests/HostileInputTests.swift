import Foundation
import IntakeCore
import Models
import Testing

/// Malformed, truncated, oversized, wrongly encoded and hostile ABI and operadora files: each bad
/// row or file gets a clear Portuguese reason, the valid rest is imported, nothing crashes, and
/// text is stored as given (never interpreted).
@Suite struct HostileInputTests {
    /// A CSV ABI row (abi 55, operadora 123456) with the given fields; the rest valid.
    static func row(_ n: Int, beneficiary: String? = nil, quantity: String = "1", value: String = "100.00",
                    start: String = "2025-01-05", birth: String = "1970-01-01") -> String {
        "55,123456,AIH,\(3_525_100_000_000 + n),2025-01,\(beneficiary ?? "B\(n)"),\(birth),\(start),2025-01-09,2077485,0303010037,\(quantity),\(value)"
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Writes `bytes` as `name` in a new temporary directory and reads every row back.
    static func read(_ bytes: [UInt8], named name: String = "entrada.csv") throws -> [SourceRow] {
        let directory = try Samples.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        let table = try TabularFile(url: file)
        var rows: [SourceRow] = []
        while let row = try table.next() { rows.append(row) }
        return rows
    }

    static func fileError(_ bytes: [UInt8], named name: String = "entrada.csv") -> String? {
        do {
            _ = try read(bytes, named: name)
            return nil
        } catch let error as IntakeFileError {
            return error.message
        } catch {
            return "unexpected \(type(of: error)): \(error)"
        }
    }

    // MARK: Encodings

    @Test func latin1BytesAreAProblemOfTheirRowAndTheRestIsRead() throws {
        // "JOSÉ" exported as Windows-1252: É is the single byte 0xC9.
        let file = Self.bytes("a,b\n1,ok\n2,JOS") + [0xC9] + Self.bytes("\n3,fim\n")
        let rows = try Self.read(file)
        #expect(rows.map(\.number) == [2, 3, 4])
        #expect(rows[0].problem == nil && rows[2].problem == nil && rows[2].fields["b"] == "fim")
        #expect(rows[1].problem?.contains("não é texto UTF-8") == true, "\(rows[1])")

        let json = Self.bytes("[{\"a\": \"ok\"}, {\"a\": \"JOS") + [0xC9] + Self.bytes("\"}, {\"a\": \"fim\"}]")
        let elements = try Self.read(json, named: "entrada.json")
        #expect(elements.map(\.problem) == [nil, "o registro não é texto UTF-8 (arquivo em Latin-1/Windows-1252? salve como UTF-8)", nil])
    }

    @Test func utf16FilesAreRefusedAsAWhole() {
        let utf16: [UInt8] = [0xFF, 0xFE] + "a,b\n1,2\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for name in ["entrada.csv", "entrada.json", "sem-extensao"] {
            #expect(Self.fileError(utf16, named: name)?.contains("UTF-16") == true, "\(name)")
        }
        #expect(Self.fileError([0xFE, 0xFF, 0x00, 0x61])?.contains("UTF-16") == true)
    }

    @Test func nulBytesAndControlCharactersNeverReachTheDatabase() throws {
        let rows = try Self.read(Self.bytes("a,b\n1,x") + [0] + Self.bytes("y\n2,ok\n"))
        #expect(rows[0].problem?.contains("byte nulo") == true)
        #expect(rows[1].problem == nil)
        // JSON escapes decode to control characters: the validator refuses them in text fields.
        let validator = AtendimentoValidator(knownOperadoras: ["123456"])
        let elements = try Self.read(Self.bytes("[{\"codigo_beneficiario\": \"B\\u0000X\"}]"), named: "e.json")
        #expect(elements[0].fields["codigo_beneficiario"] == "B\u{0}X")
        var fields = elements[0].fields
        for (key, value) in ["registro_ans": "123456", "tipo": "AIH", "numero_documento": "3525100000011", "competencia": "2025-01",
                             "data_nascimento": "1970-01-01", "data_inicio": "2025-01-05", "data_fim": "2025-01-09",
                             "cnes": "2077485", "procedimento": "0303010037", "quantidade": "1", "valor_sus": "10"] {
            fields[key] = value
        }
        guard case .failure(let rejection) = validator.validate(fields, row: 1) else {
            Issue.record("a NUL in the beneficiary code was accepted")
            return
        }
        #expect(rejection.reason == "codigo_beneficiario: contém caracteres de controle")
        fields["codigo_beneficiario"] = "B\u{1B}[31m"
        #expect(throws: RowRejection.self) { try validator.validate(fields, row: 1).get() }
        let operadora = OperadoraImporter.validate(["registro_ans": "123456", "cnpj": "11.222.333/0001-81",
                                                    "razao_social": "Saúde\u{0}Ltda", "email": "a@b.com"], row: 2)
        if case .failure(let refused) = operadora {
            #expect(refused == RowRejection(row: 2, reason: "razao_social: contém caracteres de controle"))
        } else {
            Issue.record("a NUL in the razão social was accepted")
        }
    }

    // MARK: Truncated and oversized

    @Test func anUnclosedQuoteOrAHugeRecordStopsTheFileWithBoundedMemory() {
        // The quote opened on line 2 never closes: the reader stops at the bound, not at the end of a huge file.
        let unclosed = Self.bytes("a,b\n1,\"aberto\n") + Array(repeating: UInt8(ascii: "x"), count: IntakePolicy.maximumCSVRecordBytes + 10)
        #expect(Self.fileError(unclosed)?.contains("o registro da linha 2 passa de") == true)
        let hugeField = Self.bytes("a,b\n1,") + Array(repeating: UInt8(ascii: "y"), count: IntakePolicy.maximumCSVRecordBytes + 10) + Self.bytes("\n")
        #expect(Self.fileError(hugeField)?.contains("aspas não fechadas?") == true)
        let hugeJSON = Self.bytes("[{\"a\": \"") + Array(repeating: UInt8(ascii: "z"), count: IntakePolicy.maximumJSONElementBytes + 10)
        #expect(Self.fileError(hugeJSON, named: "e.json")?.contains("passa de") == true)
    }

    @Test func truncatedAndMalformedJSONEndsWithAFileErrorNeverALoop() throws {
        // A stray '}' was never consumed: the reader returned the same empty record forever (found by fuzzing).
        #expect(Self.fileError(Self.bytes("[}"), named: "e.json")?.contains("'}' sem '{'") == true)
        #expect(Self.fileError(Self.bytes("[{\"a\": 1}, }]"), named: "e.json")?.contains("'}' sem '{'") == true)
        #expect(Self.fileError(Self.bytes("[{\"a\": 1}"), named: "e.json")?.contains("termina no meio do registro 1") == true)
        #expect(Self.fileError(Self.bytes("[{\"a\": \"sem fim"), named: "e.json")?.contains("termina no meio") == true)
        #expect(Self.fileError(Self.bytes(""), named: "e.json") != nil)
        #expect(Self.fileError(Self.bytes("")) == "o arquivo CSV está vazio (falta o cabeçalho)")
        // Deep nesting is one bad element (no recursion), then the list goes on.
        let deep = Self.bytes("[") + Array(repeating: UInt8(ascii: "["), count: 50_000) + Array(repeating: UInt8(ascii: "]"), count: 50_000)
            + Self.bytes(", {\"a\": \"b\"}]")
        let rows = try Self.read(deep, named: "e.json")
        #expect(rows.map(\.problem) == ["o registro não é um objeto JSON", nil])
        let odd = try Self.read(Self.bytes("[{\"a\": NaN}, {\"a\": 1e999999}, {\"\": \"x\"}, {\"a\": \"\\ud800\"}, {}]"), named: "e.json")
        #expect(odd.count == 5)
        #expect(odd[0].problem?.contains("valor 'NaN'") == true)
        #expect(odd[1].fields["a"] == "1e999999")
    }

    // MARK: Hostile values

    @Test func hugeNegativeZeroAndOutOfRangeValuesGetAReason() {
        let validator = AtendimentoValidator(knownOperadoras: ["123456"])
        func reason(_ line: String) -> String? {
            let header = Samples.header.split(separator: ",").map(String.init)
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if case .failure(let rejection) = validator.validate(Dictionary(uniqueKeysWithValues: zip(header, values)), row: 2) {
                return rejection.reason
            }
            return nil
        }
        #expect(reason(Self.row(1)) == nil)
        #expect(reason(Self.row(1, value: "10000000.00")) == nil)
        #expect(reason(Self.row(1, value: "10000000.01")) == "valor_sus: R$ 10.000.000,01 passa do máximo de R$ 10.000.000,00 por atendimento")
        #expect(reason(Self.row(1, value: "9999999999999999.99"))?.hasPrefix("valor_sus: R$ 9.999.999.999.999.999,99 passa do máximo") == true)
        #expect(reason(Self.row(1, value: "99999999999999999999999"))?.hasPrefix("valor_sus:") == true)
        #expect(reason(Self.row(1, value: "-100.00"))?.hasPrefix("valor_sus:") == true)
        #expect(reason(Self.row(1, value: "0")) == "valor_sus: o valor deve ser maior que zero")
        #expect(reason(Self.row(1, value: "1e9"))?.hasPrefix("valor_sus:") == true)
        #expect(reason(Self.row(1, value: "NaN"))?.hasPrefix("valor_sus:") == true)
        #expect(reason(Self.row(1, quantity: "999999")) == nil)
        for quantity in ["1000000", "3000000000", "99999999999999999999999", "-1", "0", "1.5"] {
            #expect(reason(Self.row(1, quantity: quantity)) == "quantidade: '\(quantity)' deve ser um número inteiro de 1 a 999999")
        }
        for date in ["0000-01-01", "10000-01-01", "2025-13-01", "2025-02-30", "-2025-01-01", "2025-1-1", "٢٠٢٥-٠١-٠٥"] {
            #expect(reason(Self.row(1, start: date))?.hasPrefix("data_inicio:") == true, "\(date)")
        }
        #expect(reason(Self.row(1, birth: "9999-12-31"))?.hasPrefix("data_nascimento: 31/12/9999 posterior") == true)
        #expect(reason(Self.row(1, beneficiary: String(repeating: "B", count: 31)))?.hasPrefix("codigo_beneficiario: mais de 30") == true)
    }

    /// Through the importer and PostgreSQL: SQL and HTML in a text field and in the file name are stored
    /// verbatim, bad rows are reported, the valid rest is written.
    @Test func aHostileFileImportsItsValidRowsAndStoresTextVerbatim() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let sql = "x');DROP TABLE abis;--", html = "<script>alert(1)</script>"
            var file = Self.bytes(Samples.header + "\n" + Self.row(1, beneficiary: sql) + "\n" + Self.row(2, beneficiary: html) + "\n")
            file += Self.bytes(Self.row(3, value: "1")) + [0xC9, 0x0A]                  // line 4: Latin-1 in the last field
            file += Self.bytes(Self.row(4, beneficiary: "N")) + [0, 0x0A]               // line 5: NUL
            file += Self.bytes(Self.row(5, quantity: "3000000000") + "\n")               // line 6: beyond integer
            file += Self.bytes(Self.row(6, value: "9999999999999999.99") + "\n")         // line 7: huge amount
            file += Self.bytes(Self.row(7, value: "-1") + "\n" + Self.row(8, value: "0") + "\n")
            file += Self.bytes(Self.row(9, start: "2025-02-30") + "\n")                  // line 10
            file += Self.bytes("55,123456,AIH\n")                                          // line 11: truncated row
            file += Self.bytes(Self.row(10) + "\n")                                        // line 12: valid
            let name = "abi'; DROP TABLE abis;--.csv"
            let url = directory.appendingPathComponent(name)
            try Data(file).write(to: url)
            let report = directory.appendingPathComponent("rel.csv")
            let summary = try await pool.withConnection { try ABIImporter().importFile(url, abi: nil, reportURL: report, on: $0) }
            #expect(summary.rowsRead == 11 && summary.inserted == 3 && summary.rejected == 8, "\(summary)")
            let rejected = try await pool.withConnection { c in
                try c.query("SELECT row_number, reason FROM rejected_rows ORDER BY row_number").map {
                    "\(try $0.decode(Int.self, at: 0)): \(try $0.decode(String.self, at: 1))"
                }
            }
            #expect(rejected.map { $0.prefix(15) } == [
                "4: o campo 13 n", "5: byte nulo no", "6: quantidade: ", "7: valor_sus: R", "8: valor_sus: o",
                "9: valor_sus: o", "10: data_inicio", "11: a linha tem",
            ], "\(rejected)")
            let stored = try await pool.withConnection { c in
                try c.query("SELECT beneficiary_code FROM atendimentos ORDER BY document").map { try $0.decode(String.self, at: 0) }
            }
            #expect(stored == [sql, html, "B10"])
            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM abis WHERE first_source = '\(name.replacingOccurrences(of: "'", with: "''"))'") == 1)
            #expect(try String(contentsOf: report, encoding: .utf8).split(separator: "\n").count == 9)
        }
    }

    /// The operadora file: hostile text is stored as given, bad rows are reported, the rest goes in.
    @Test func aHostileOperadoraFileImportsItsValidRows() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            let directory = try Samples.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let name = "<b>Saúde</b>'; DELETE FROM operadoras;--"
            var file = Self.bytes("registro_ans,cnpj,razao_social,email\n")
            file += Self.bytes("123456,11.222.333/0001-81,\"\(name)\",contato@exemplo.com.br\n")
            file += Self.bytes("234567,11.222.333/0001-81,Sa") + [0xFA] + Self.bytes("de,b@c.com\n")  // Latin-1 ú
            file += Self.bytes("345678,11.222.333/0001-81,X") + [0] + Self.bytes(",b@c.com\n")
            file += Self.bytes("999999999999,11.222.333/0001-81,Y,b@c.com\n")
            file += Self.bytes("456789,11.222.333/0001-82,Z,b@c.com\n")
            file += Self.bytes("567890,11.222.333/0001-81,W,<script>@x\n")
            file += Self.bytes("678901,11.222.333/0001-81\n")
            let url = directory.appendingPathComponent("../\(directory.lastPathComponent)/operadoras.csv")
            try Data(file).write(to: url)
            let summary = try await pool.withConnection { try OperadoraImporter().importFile(url, time: Date(), on: $0) }
            #expect(summary.inserted == 1)
            #expect(summary.rejected.map(\.row) == [3, 4, 5, 6, 7, 8])
            #expect(summary.rejected[0].reason.contains("UTF-8") && summary.rejected[1].reason.contains("byte nulo"))
            let stored = try await pool.withConnection { c in
                try c.query("SELECT razao_social FROM operadoras").map { try $0.decode(String.self, at: 0) }
            }
            #expect(stored == [name])
        }
    }
}
