import Foundation
import IntakeCore
import Models
import Testing

/// Row validation and valuation (DOMAIN §1-2), without a database.
@Suite struct ValidationTests {
    let validator = AtendimentoValidator(knownOperadoras: ["123456"])

    func fields(_ changes: [String: String] = [:]) -> [String: String] {
        var fields = [
            "registro_ans": "123456", "tipo": "AIH", "numero_documento": "3525100000011", "competencia": "2025-01",
            "codigo_beneficiario": "BEN1", "data_nascimento": "1961-04-12", "data_inicio": "2025-01-05",
            "data_fim": "2025-01-09", "cnes": "2077485", "procedimento": "0303010037", "quantidade": "1",
            "valor_sus": "1534.21",
        ]
        for (key, value) in changes { fields[key] = value }
        return fields
    }

    func reason(_ changes: [String: String]) -> String? {
        if case .failure(let rejection) = validator.validate(fields(changes), row: 7) {
            #expect(rejection.row == 7)
            return rejection.reason
        }
        return nil
    }

    @Test func ivrIsOneAndAHalfTimesTheSUSValueRoundedHalfUp() throws {
        let valid = try validator.validate(fields(), row: 2).get()
        #expect(valid.record.susValue == Money(centavos: 153_421))
        // 1534.21 × 1.5 = 2301.315 → 2301.32 (half-up, RN 504/2022)
        #expect(valid.record.amountToReimburse == Money(centavos: 230_132))
        let brazilian = try validator.validate(fields(["valor_sus": "2.150,75", "data_nascimento": "12/04/1961"]), row: 3).get()
        #expect(brazilian.record.amountToReimburse == Money(centavos: 322_613))  // 3226.125 → 3226.13
    }

    @Test func competenciasBefore2008KeepTheLegacyValue() throws {
        let valid = try validator.validate(fields([
            "competencia": "2007-12", "data_inicio": "2007-12-01", "data_fim": "2007-12-03", "valor_sus": "500.00",
        ]), row: 2).get()
        #expect(valid.record.amountToReimburse == Money(centavos: 50_000))
    }

    @Test func everyFieldIsCheckedWithAPortugueseReason() {
        #expect(reason(["registro_ans": "999999"]) == "registro_ans: operadora 999999 não cadastrada")
        #expect(reason(["registro_ans": "12345"])?.hasPrefix("registro_ans: registro ANS deve ter 6 caracteres") == true)
        #expect(reason(["tipo": "SIA"]) == "tipo: 'SIA' inválido (use AIH ou APAC)")
        #expect(reason(["numero_documento": "12"])?.hasPrefix("numero_documento:") == true)
        #expect(reason(["competencia": "2025-13"])?.hasPrefix("competencia: '2025-13' não é uma competência válida") == true)
        #expect(reason(["codigo_beneficiario": " "]) == "codigo_beneficiario: não informado")
        #expect(reason(["data_nascimento": "2025-02-01"]) == "data_nascimento: 01/02/2025 posterior ao início do atendimento (05/01/2025)")
        #expect(reason(["data_fim": "2025-01-04"]) == "data_fim: 04/01/2025 anterior ao início do atendimento (05/01/2025)")
        #expect(reason(["competencia": "2024-12"]) == "competencia: 12/2024 anterior ao início do atendimento (05/01/2025)")
        #expect(reason(["data_inicio": "2025-02-30"])?.hasPrefix("data_inicio: a data") == true)
        #expect(reason(["cnes": "12"])?.hasPrefix("cnes: CNES deve ter 7 caracteres") == true)
        #expect(reason(["procedimento": "03030100x7"])?.hasPrefix("procedimento:") == true)
        #expect(reason(["quantidade": "0"]) == "quantidade: '0' deve ser um número inteiro de 1 a 999999")
        #expect(reason(["valor_sus": "0,00"]) == "valor_sus: o valor deve ser maior que zero")
        #expect(reason(["valor_sus": "abc"])?.hasPrefix("valor_sus:") == true)
        #expect(reason([:]) == nil)
        #expect(reason(["registro_ans": " 123456\t", "tipo": "apac", "codigo_beneficiario": " B 1 "]) == nil)
    }

    @Test func operadoraRowsValidateCNPJIncludingAlphanumericAndEmailShape() {
        func check(_ changes: [String: String]) -> Result<OperadoraRegistered, RowRejection> {
            var fields = ["registro_ans": "000123", "cnpj": "12.ABC.345/01DE-35", "razao_social": "X", "email": "a@b.com.br"]
            for (key, value) in changes { fields[key] = value }
            return OperadoraImporter.validate(fields, row: 4)
        }
        #expect((try? check([:]).get())?.cnpj.value == "12ABC34501DE35")
        #expect((try? check(["cnpj": "11222333000181"]).get()) != nil)
        for (changes, prefix) in [
            (["cnpj": "12ABC34501DE36"], "cnpj: dígitos verificadores do CNPJ incorretos"),
            (["registro_ans": "12A456"], "registro_ans:"),
            (["email": "sem-arroba.com"], "email: 'sem-arroba.com' não tem a forma"),
            (["email": "a@b"], "email: 'a@b' não tem a forma"),
            (["razao_social": ""], "razao_social: não informado"),
        ] {
            guard case .failure(let rejection) = check(changes) else {
                Issue.record("\(changes) accepted")
                continue
            }
            #expect(rejection.row == 4)
            #expect(rejection.reason.hasPrefix(prefix), "\(rejection.reason)")
        }
    }
}
