import Foundation
import Models
import PropertyBased
import Testing

@Suite("CNPJ")
struct CNPJTests {
    @Test("accepts known valid CNPJs", arguments: [
        ("11.222.333/0001-81", "11222333000181", "11222333"),
        ("11222333000181", "11222333000181", "11222333"),
        ("11.444.777/0001-61", "11444777000161", "11444777"),
        ("00.000.000/0001-91", "00000000000191", "00000000"),
        ("12.ABC.345/01DE-35", "12ABC34501DE35", "12ABC345"),
        ("12ABC34501DE35", "12ABC34501DE35", "12ABC345"),
        ("12.abc.345/01de-35", "12ABC34501DE35", "12ABC345"),
    ])
    func valid(text: String, value: String, root: String) throws {
        let cnpj = try CNPJ(text)
        #expect(cnpj.value == value)
        #expect(cnpj.root == root)
        #expect(CNPJ.isValid(text))
    }

    @Test func formatsAlphanumeric() throws {
        let cnpj = try CNPJ("12ABC34501DE35")
        #expect(cnpj.formatted == "12.ABC.345/01DE-35")
        #expect(cnpj.order == "01DE")
        #expect(cnpj.checkDigits == "35")
    }

    @Test func computesCheckDigits() throws {
        #expect(try CNPJ.checkDigits(for: "12ABC34501DE") == "35")
        #expect(try CNPJ.checkDigits(for: "112223330001") == "81")
        #expect(throws: IdentifierError.self) { try CNPJ.checkDigits(for: "1234") }
    }

    @Test func rejectsWrongCheckDigits() {
        #expect(throws: IdentifierError.wrongCheckDigits(.cnpj, expected: "81", actual: "82")) {
            try CNPJ("11.222.333/0001-82")
        }
        #expect(throws: IdentifierError.wrongCheckDigits(.cnpj, expected: "35", actual: "36")) {
            try CNPJ("12.ABC.345/01DE-36")
        }
    }

    @Test("rejects malformed input", arguments: [
        ("00000000000000", IdentifierError.allSameCharacter(.cnpj)),
        ("11.111.111/1111-11", .allSameCharacter(.cnpj)),
        ("", .empty(.cnpj)),
        ("1122233300018", .wrongLength(.cnpj, expected: 14, actual: 13)),
        ("12ABC34501DEAB", .invalidCharacters(.cnpj, "12ABC34501DEAB")),
        ("12ABC34501DE3#", .invalidCharacters(.cnpj, "12ABC34501DE3#")),
    ])
    func rejects(text: String, error: IdentifierError) {
        #expect(throws: error) { try CNPJ(text) }
    }

    @Test func messagesInBothLanguages() {
        let error = IdentifierError.wrongCheckDigits(.cnpj, expected: "81", actual: "82")
        #expect(error.description.contains("check digits"))
        #expect(error.descricao.contains("dígitos verificadores"))
    }

    @Test func codableAsPlainValue() throws {
        let data = try JSONEncoder().encode([try CNPJ("12.ABC.345/01DE-35")])
        #expect(String(decoding: data, as: UTF8.self) == #"["12ABC34501DE35"]"#)
        #expect(throws: (any Error).self) { try JSONDecoder().decode([CNPJ].self, from: Data(#"["12ABC34501DE36"]"#.utf8)) }
    }

    static let alphanumeric = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    @Test("generated CNPJs validate and round-trip through formatting")
    func roundTrip() async {
        let base = Gen.int(in: 0..<CNPJTests.alphanumeric.count).array(of: 12)
            .map { String($0.map { CNPJTests.alphanumeric[$0] }) }
        await propertyCheck(count: 500, input: base) { base in
            let digits = try CNPJ.checkDigits(for: base)
            let value = base + digits
            guard Set(value).count > 1 else { return }
            let cnpj = try CNPJ(value)
            #expect(try CNPJ(cnpj.formatted) == cnpj)
            #expect(cnpj.formatted.count == 18)
            #expect(cnpj.root == String(base.prefix(8)))
            #expect(try CNPJ(cnpj.formatted.lowercased()) == cnpj)
        }
    }

    @Test("changing one check digit always invalidates")
    func alteredCheckDigitFails() async {
        let base = Gen.int(in: 0..<CNPJTests.alphanumeric.count).array(of: 12)
            .map { String($0.map { CNPJTests.alphanumeric[$0] }) }
        await propertyCheck(count: 300, input: base, Gen.int(in: 0...1), Gen.int(in: 1...9)) { base, position, delta in
            var digits = Array(try CNPJ.checkDigits(for: base))
            digits[position] = Character(String((digits[position].wholeNumberValue! + delta) % 10))
            #expect(!CNPJ.isValid(base + String(digits)))
        }
    }
}

@Suite("Numeric identifiers")
struct IdentifierTests {
    @Test func registroANS() throws {
        #expect(try RegistroANS("000701").value == "000701")
        #expect(throws: IdentifierError.wrongLength(.registroANS, expected: 6, actual: 5)) { try RegistroANS("70101") }
        #expect(throws: IdentifierError.invalidCharacters(.registroANS, "00070A")) { try RegistroANS("00070A") }
    }

    @Test func abiNumber() throws {
        #expect(try ABINumber(85).value == 85)
        #expect(try ABINumber(parsing: "12").value == 12)
        #expect(throws: IdentifierError.notPositive(.abiNumber)) { try ABINumber(0) }
        #expect(throws: IdentifierError.self) { try ABINumber(parsing: "-3") }
    }

    @Test func fixedLengthNumbers() throws {
        #expect(try SUSDocumentNumber("3512100012345").value.count == 13)
        #expect(throws: IdentifierError.self) { try SUSDocumentNumber("351210001234") }
        #expect(try SIGTAPCode("0303010037").value == "0303010037")
        #expect(try SIGTAPCode("03.03.01.003-7").value == "0303010037")
        #expect(throws: IdentifierError.self) { try SIGTAPCode("030301003") }
        #expect(try CNES("2077485").value == "2077485")
        #expect(throws: IdentifierError.self) { try CNES("207748") }
    }

    @Test func competencia() throws {
        let c: Competencia = try YearMonth(parsing: "2008-01")
        #expect(c.month == 1)
        #expect(throws: DateError.invalidMonth("2008-13")) { try Competencia(parsing: "2008-13") }
    }
}
