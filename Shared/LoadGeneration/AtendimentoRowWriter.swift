import Models

/// Writes one generated atendimento as a row of the ABI file layout (docs/intake-files.md).
enum AtendimentoRowWriter {
    static let header = "abi,registro_ans,tipo,numero_documento,competencia,codigo_beneficiario,data_nascimento,"
        + "data_inicio,data_fim,cnes,procedimento,quantidade,valor_sus"

    /// IBGE codes of the states the documents are issued in (most populous first).
    private static let states = [35, 31, 33, 29, 43, 41, 26, 23, 15, 52, 21, 42, 53, 25, 24]

    struct Written {
        let document: String
        let competencia: YearMonth
        let susCentavos: Int
    }

    /// `serial` makes the document number unique within the load (8 digits of it in the number).
    static func write(abi: Int, registroANS: String, serial: Int, competencia: YearMonth,
                      random: inout SeededGenerator, to file: CSVLineWriter) -> Written {
        let isAIH = random.chance(perMille: 550)
        let procedure = ProcedureCatalog.pick(aih: isAIH, random: &random)
        let quantity = random.inRange(procedure.quantity)
        // ±20% around the procedure's typical value.
        let susCentavos = max(1, procedure.unitCentavos * quantity * random.inRange(80...120) / 100)
        let state = states[random.below(states.count)]
        let document = String(state) + pad(competencia.year % 100, 2) + (isAIH ? "1" : "2") + pad(serial % 100_000_000, 8)

        // Care starts in the competência's month (AIH: a stay of up to a week; APAC: the month).
        let startDay = isAIH ? random.inRange(1...20) : random.inRange(1...5)
        let start = CivilDate(dayNumber: competencia.firstDay.dayNumber + startDay - 1)
        let end = start.adding(days: isAIH ? random.inRange(0...7) : random.inRange(20...25))
        let birthYear = random.inRange(1935...(competencia.year - 1))

        file.appendDigits(abi)
        file.comma()
        file.append(registroANS)
        file.comma()
        file.append(isAIH ? "AIH" : "APAC")
        file.comma()
        file.append(document)
        file.comma()
        file.append(competencia.description)
        file.comma()
        file.appendDigits(random.below(1_000_000_000_000), width: 12)
        file.comma()
        file.appendDate(year: birthYear, month: random.inRange(1...12), day: random.inRange(1...28))
        file.comma()
        file.appendDate(year: start.year, month: start.month, day: start.day)
        file.comma()
        file.appendDate(year: end.year, month: end.month, day: end.day)
        file.comma()
        file.appendDigits(2_000_000 + random.below(3_000) * 1_777, width: 7)
        file.comma()
        file.append(procedure.code)
        file.comma()
        file.appendDigits(quantity)
        file.comma()
        file.appendReais(centavos: susCentavos)
        file.endLine()
        return Written(document: document, competencia: competencia, susCentavos: susCentavos)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
