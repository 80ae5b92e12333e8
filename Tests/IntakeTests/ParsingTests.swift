import Foundation
import IntakeCore
import Testing

/// The streaming CSV and JSON readers, on real temporary files.
@Suite struct ParsingTests {
    func rows(_ text: String, ext: String = "csv") throws -> [SourceRow] {
        let directory = try Samples.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try Samples.write(text, named: "input.\(ext)", in: directory)
        let table = try TabularFile(url: file)
        var rows: [SourceRow] = []
        while let row = try table.next() { rows.append(row) }
        return rows
    }

    @Test func csvWithBOMCRLFAndQuotedFieldsKeepsLineNumbers() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"he said \"\"oi\"\"\"\r\n2,\"two\nlines\",z\r\n\r\n3,last,\"\"\r\n"
        let rows = try rows(text)
        #expect(rows.map(\.number) == [2, 3, 6])
        #expect(rows[0].fields == ["a": "1", "b": "x, y", "c": "he said \"oi\""])
        #expect(rows[1].fields["b"] == "two\nlines")
        #expect(rows[2].fields == ["a": "3", "b": "last", "c": ""])
        #expect(rows.allSatisfy { $0.problem == nil })
    }

    @Test func semicolonDelimiterIsDetectedFromTheHeader() throws {
        let rows = try rows("A;B\n1;\"1.234,56\"\n")
        #expect(rows.count == 1)
        #expect(rows[0].fields == ["a": "1", "b": "1.234,56"])
    }

    @Test func malformedCSVRowsReportTheirProblemAndTheRestGoesOn() throws {
        let rows = try rows("a,b\n1,2,3\n4,x\"y\n5,6\n7,\"open\n")
        #expect(rows.map(\.number) == [2, 3, 4, 5])
        #expect(rows[0].problem == "a linha tem 3 colunas; o cabeçalho tem 2")
        #expect(rows[1].problem?.contains("aspas fora de lugar") == true)
        #expect(rows[2].problem == nil && rows[2].fields == ["a": "5", "b": "6"])
        #expect(rows[3].problem == "aspas abertas e não fechadas até o fim do arquivo")
    }

    @Test func jsonNumbersKeepTheirExactTextAndBadElementsAreReported() throws {
        let text = """
            \u{FEFF} [ {"Valor": 1534.20, "n": "a\\"b", "z": null, "t": true},
              42,
              {"x": {"nested": 1}},
              {"ok": "é"} ]
            """
        let rows = try rows(text, ext: "json")
        #expect(rows.map(\.number) == [1, 2, 3, 4])
        #expect(rows[0].fields == ["valor": "1534.20", "n": "a\"b", "t": "true"])
        #expect(rows[1].problem == "o registro não é um objeto JSON")
        #expect(rows[2].problem == "o campo \"x\" tem um valor composto; use texto ou número")
        #expect(rows[3].fields == ["ok": "é"])
    }

    @Test func jsonThatIsNotAnArrayOrIsTruncatedIsAFileError() throws {
        #expect(throws: IntakeFileError.self) { try rows("{\"a\": 1}", ext: "json") }
        #expect(throws: IntakeFileError.self) { try rows("[{\"a\": 1}, {\"b\":", ext: "json") }
    }
}
