/// The operator CSV of `ressus calcular --csv`: input `principal,vencimento,pagamento` (dot decimal, ISO
/// dates), output `principal,vencimento,pagamento,taxa_multa,taxa_juros,multa,juros,total`
/// (percentages and amounts with 2 decimals, dot). Processes one line at a time (streaming).
public struct LateChargeCSV: Sendable {
    public static let inputHeader = "principal,vencimento,pagamento"
    public static let outputHeader = "principal,vencimento,pagamento,taxa_multa,taxa_juros,multa,juros,total"

    public let calculator: LateChargeCalculator
    /// Whether a line needing missing SELIC months yields a provisional result instead of an error.
    public let allowingProvisional: Bool

    public init(calculator: LateChargeCalculator, allowingProvisional: Bool = false) {
        self.calculator = calculator
        self.allowingProvisional = allowingProvisional
    }

    /// Checks the header line (whitespace, a UTF-8 BOM and a trailing CR are tolerated).
    public static func checkHeader(_ line: String) throws(CSVLineError) {
        var text = line
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let fields = text.trimmingWhitespace().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " \t\r") }
        guard fields.joined(separator: ",") == inputHeader else {
            throw CSVLineError(lineNumber: 1, problem: "cabeçalho deve ser '\(inputHeader)', encontrado '\(line)'")
        }
    }

    /// The output line for data line `line` (numbered `lineNumber`, header = 1), or nil for a blank line.
    public func process(line: String, lineNumber: Int) throws(CSVLineError) -> String? {
        let text = line.trimmingWhitespace()
        if text.isEmpty { return nil }
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " \t\r") }
        guard fields.count == 3 else {
            throw CSVLineError(lineNumber: lineNumber,
                               problem: "esperados 3 campos (principal,vencimento,pagamento), encontrados \(fields.count)")
        }
        do {
            let principal = try Money(parsing: fields[0])
            guard principal.centavos >= 0 else {
                throw CSVLineError(lineNumber: lineNumber, problem: "principal negativo: \(fields[0])")
            }
            let due = try CivilDate(parsing: fields[1])
            let payment = try CivilDate(parsing: fields[2])
            let result = try calculator.calculate(principal: principal, dueDate: due, asOf: payment,
                                                  allowingProvisional: allowingProvisional)
            return [principal.decimalString, due.description, payment.description,
                    result.memo.multaRate.decimalString, result.memo.jurosRate.decimalString,
                    result.multa.decimalString, result.juros.decimalString, result.total.decimalString]
                .joined(separator: ",")
        } catch let error as CSVLineError {
            throw error
        } catch let error as any DomainError {
            throw CSVLineError(lineNumber: lineNumber, problem: error.descricao)
        } catch {
            throw CSVLineError(lineNumber: lineNumber, problem: "\(error)")
        }
    }
}

/// A CSV line that could not be processed.
public struct CSVLineError: DomainError, Equatable {
    public let lineNumber: Int
    /// The problem, in Portuguese.
    public let problem: String

    public init(lineNumber: Int, problem: String) {
        self.lineNumber = lineNumber
        self.problem = problem
    }

    public var description: String { "line \(lineNumber): \(problem)" }
    public var descricao: String { "linha \(lineNumber): \(problem)" }
}
