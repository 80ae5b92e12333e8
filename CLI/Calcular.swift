import ArgumentParser
import Foundation
import Models

/// `ressus calcular`: acréscimos moratórios (multa e juros) of one debt or of a CSV on stdin.
struct Calcular: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calcular",
        abstract: "Calcula multa e juros de mora de um débito ou de um CSV na entrada padrão.",
        discussion: """
            Um débito: ressus calcular --principal 10000.00 --vencimento 2025-04-30 --pagamento 2025-06-10
            Lote: ressus calcular --csv < debitos.csv  (cabeçalho principal,vencimento,pagamento)
            """
    )

    @Option(name: .customLong("principal"), help: "Valor principal, ex.: 10000.00 ou 10.000,00.")
    var principal: String?

    @Option(name: .customLong("vencimento"), help: "Data de vencimento (AAAA-MM-DD).")
    var vencimento: String?

    @Option(name: .customLong("pagamento"), help: "Data do pagamento ou de referência (AAAA-MM-DD).")
    var pagamento: String?

    @Flag(name: .customLong("json"), help: "Saída em JSON.")
    var json = false

    @Flag(name: .customLong("csv"), help: "Lê CSV da entrada padrão e escreve CSV na saída padrão.")
    var csv = false

    @Flag(name: .customLong("provisorio"),
          help: "Se faltar taxa SELIC, calcula mesmo assim (resultado provisório, meses faltantes valem 0).")
    var provisorio = false

    @Option(name: .customLong("selic"), help: "CSV (month,rate_percent) com meses SELIC a acrescentar à tabela.")
    var selic: String?

    func run() throws {
        try Console.reportingErrors {
            let calculator = LateChargeCalculator(selic: try selicTable())
            if csv {
                guard principal == nil, vencimento == nil, pagamento == nil, !json else {
                    throw OperatorError(message: "--csv não se combina com --principal, --vencimento, --pagamento ou --json")
                }
                try runCSV(calculator)
            } else {
                try runSingle(calculator)
            }
        }
    }

    private func selicTable() throws -> SelicTable {
        guard let selic else { return .seed }
        guard let data = FileManager.default.contents(atPath: selic) else {
            throw OperatorError(message: "não foi possível ler o arquivo SELIC '\(selic)'")
        }
        let rates = try SelicTable.parseCSV(String(decoding: data, as: UTF8.self))
        return try SelicTable.seed.extended(with: rates, version: SelicTable.seedVersion + "+" + selic)
    }

    private func runSingle(_ calculator: LateChargeCalculator) throws {
        let amount = try parseOption(principal, "--principal") { try Money(parsing: $0) }
        guard amount.centavos >= 0 else { throw OperatorError(message: "--principal não pode ser negativo") }
        let due = try parseOption(vencimento, "--vencimento") { try CivilDate(parsing: $0) }
        let payment = try parseOption(pagamento, "--pagamento") { try CivilDate(parsing: $0) }
        let result = try calculator.calculate(principal: amount, dueDate: due, asOf: payment,
                                              allowingProvisional: provisorio)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result.operatorView), as: UTF8.self))
        } else {
            print(result.relatorio)
        }
    }

    /// Streams stdin line by line; bad lines go to stderr with their number, the rest are still computed.
    private func runCSV(_ calculator: LateChargeCalculator) throws {
        let processor = LateChargeCSV(calculator: calculator, allowingProvisional: provisorio)
        guard let header = readLine(strippingNewline: true) else {
            throw OperatorError(message: "entrada vazia: esperado o cabeçalho '\(LateChargeCSV.inputHeader)'")
        }
        try LateChargeCSV.checkHeader(header)
        print(LateChargeCSV.outputHeader)
        var lineNumber = 1
        var failures = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            do {
                if let output = try processor.process(line: line, lineNumber: lineNumber) { print(output) }
            } catch {
                failures += 1
                Console.error("erro: \(error.descricao)")
            }
        }
        if failures > 0 {
            throw OperatorError(message: "\(failures) linha(s) com erro; as demais foram calculadas")
        }
    }
}
