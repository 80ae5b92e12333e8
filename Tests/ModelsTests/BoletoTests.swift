import Models
import Testing

@Suite("GRU number and boleto")
struct BoletoTests {
    @Test func gruNumber() throws {
        let number = try GRUNumber(prefix: "1234567", sequence: 321)
        #expect(number.value == "12345670000000321")
        #expect(number.prefix == "1234567")
        #expect(number.sequence == 321)
        #expect(try GRUNumber("12345670000000321") == number)
        #expect(throws: IdentifierError.self) { try GRUNumber(prefix: "123456", sequence: 1) }
        #expect(throws: IdentifierError.self) { try GRUNumber(prefix: "1234567", sequence: 10_000_000_000) }
        #expect(throws: IdentifierError.self) { try GRUNumber("1234567000000032") }
    }

    @Test("due-date factor with the February 2025 reset", arguments: [
        ("2000-07-03", 1000), ("2025-02-21", 9999), ("2025-02-22", 1000), ("2025-02-23", 1001),
        ("2026-01-02", 1314), ("2026-12-25", 1671), ("2008-01-21", 3758),
    ])
    func factor(day: String, expected: Int) throws {
        #expect(try Boleto.dueDateFactor(for: date(day)) == expected)
    }

    @Test func factorOutOfRange() {
        #expect(throws: BoletoError.dueDateOutOfRange(date("2000-07-02"))) { try Boleto.dueDateFactor(for: date("2000-07-02")) }
    }

    /// Published Banco do Brasil vectors (7-digit convênio, carteira 11) from the BoletoNetCore test
    /// suite (BancoBrasilCarteira11019Tests): nosso número = convênio 1234567 + 10-digit sequence.
    @Test("Banco do Brasil test vectors", arguments: [
        (Int64(321), "804.00", "2026-01-02", "00192131400000804000000001234567000000032111",
         "00190.00009 01234.567004 00000.321117 2 13140000080400"),
        (321, "806.00", "2026-01-02", "00193131400000806000000001234567000000032111",
         "00190.00009 01234.567004 00000.321117 3 13140000080600"),
        (9_999_999_901, "791.00", "2026-03-10", "00194138100000791000000001234567999999990111",
         "00190.00009 01234.567996 99999.901111 4 13810000079100"),
        (1, "800.00", "2026-02-28", "00197137100000800000000001234567000000000111",
         "00190.00009 01234.567004 00000.001115 7 13710000080000"),
        (3, "220.58", "2026-05-24", "00199145600000220580000001234567000000000311",
         "00190.00009 01234.567004 00000.003111 9 14560000022058"),
    ])
    func bancoDoBrasilVectors(sequence: Int64, amount: String, due: String, barcode: String, linha: String) throws {
        var policy = RulesPolicy.standard
        policy.boletoCarteira = "11"
        let boleto = try Boleto(gru: try GRUNumber(prefix: "1234567", sequence: sequence), amount: money(amount),
                                dueDate: date(due), policy: policy)
        #expect(boleto.barcode == barcode)
        #expect(boleto.formattedLinhaDigitavel == linha)
        #expect(boleto.linhaDigitavel == linha.filter(\.isNumber))
        #expect(try Boleto(linhaDigitavel: linha) == boleto)
        #expect(boleto.amount == money(amount))
    }

    /// Second published vector (brcobranca's string extension spec), carteira 18, old factor cycle.
    @Test func carteira18Vector() throws {
        let barcode = "00192376900000135000000001238798777770016818"
        let boleto = try Boleto(barcode: barcode)
        #expect(boleto.formattedLinhaDigitavel == "00190.00009 01238.798779 77700.168188 2 37690000013500")
        #expect(boleto.dueDateFactor == 3769)
        let rebuilt = try Boleto(gru: try GRUNumber(prefix: "1238798", sequence: 7_777_700_168), amount: money("135.00"),
                                 dueDate: date("1997-10-07").adding(days: 3769))
        #expect(rebuilt.barcode == barcode)
    }

    @Test func gruBoletoWithDefaultPolicy() throws {
        // Hand-built: free field 000000 + 0000001 + 0000000042 + 18.
        let boleto = try Boleto(gru: try GRUNumber(prefix: RulesPolicy.standard.gruIssuerPrefix, sequence: 42),
                                amount: money("11567.00"), dueDate: date("2025-06-10"))
        #expect(boleto.barcode.count == 44)
        #expect(boleto.linhaDigitavel.count == 47)
        #expect(boleto.freeField == "0000000000001000000004218")
        #expect(boleto.barcode.hasPrefix("0019"))
        #expect(boleto.barcode.dropFirst(5).prefix(14) == "1108" + "0001156700")
        #expect(try Boleto(linhaDigitavel: boleto.formattedLinhaDigitavel) == boleto)
    }

    @Test func checkDigitAlgorithms() {
        // Field 1 of the vectors above: 001900000 → 9; field 2: 0123456700 → 4.
        #expect(Boleto.modulo10("001900000") == 9)
        #expect(Boleto.modulo10("0123456700") == 4)
        #expect(Boleto.modulo10("0000032111") == 7)
        // General digit results 0, 10 and 11 become 1 (sum ≡ 0 or 1 mod 11, and 11 − r = 10 when r = 1).
        #expect(Boleto.generalCheckDigit(String(repeating: "0", count: 43)) == 1)
    }

    @Test func rejectsCorruptedLines() {
        let linha = "00190.00009 01234.567004 00000.321117 2 13140000080400"
        #expect(throws: BoletoError.wrongCheckDigit(field: 1)) { try Boleto(linhaDigitavel: "00190.00008 01234.567004 00000.321117 2 13140000080400") }
        #expect(throws: BoletoError.wrongCheckDigit(field: 2)) { try Boleto(linhaDigitavel: "00190.00009 01234.567005 00000.321117 2 13140000080400") }
        #expect(throws: BoletoError.wrongCheckDigit(field: 4)) { try Boleto(linhaDigitavel: "00190.00009 01234.567004 00000.321117 2 13140000080401") }
        #expect(throws: BoletoError.malformed("123")) { try Boleto(linhaDigitavel: "123") }
        #expect(throws: Never.self) { try Boleto(linhaDigitavel: linha) }
    }

    @Test func amountMustFitTenDigits() {
        #expect(throws: BoletoError.amountOutOfRange(Money(centavos: 10_000_000_000))) {
            try Boleto(gru: try GRUNumber(prefix: "1234567", sequence: 1), amount: Money(centavos: 10_000_000_000), dueDate: nil)
        }
    }
}
