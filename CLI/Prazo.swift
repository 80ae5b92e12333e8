import ArgumentParser
import Models

/// `ressus prazo`: deadlines counted in business days per DOMAIN §3.
struct Prazo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prazo",
        abstract: "Calcula um prazo (contagem em dias corridos, início e fim em dia útil).",
        discussion: """
            impugnacao, recurso, pagamento e cadin contam a partir de --ciencia (para cadin, a data da \
            notificação da cobrança); ciencia usa --disponibilizacao (e --ciencia, se houve ciência expressa); \
            divida-ativa usa --vencimento.
            """
    )

    enum Tipo: String, CaseIterable {
        case impugnacao, recurso, pagamento, cadin, ciencia
        case dividaAtiva = "divida-ativa"
    }

    @Option(name: .customLong("tipo"), help: "impugnacao, recurso, pagamento, cadin, ciencia ou divida-ativa.")
    var tipo: String

    @Option(name: .customLong("ciencia"), help: "Data da ciência (AAAA-MM-DD).")
    var ciencia: String?

    @Option(name: .customLong("disponibilizacao"), help: "Data de disponibilização do ofício (tipo ciencia).")
    var disponibilizacao: String?

    @Option(name: .customLong("vencimento"), help: "Data de vencimento da GRU (tipo divida-ativa).")
    var vencimento: String?

    @Option(name: .customLong("fechado"), help: "Dia sem expediente adicional, AAAA-MM-DD:motivo (repetível).")
    var fechados: [String] = []

    func run() throws {
        try Console.reportingErrors {
            guard let kind = Tipo(rawValue: tipo) else {
                throw OperatorError(message: "tipo '\(tipo)' desconhecido; use "
                    + Tipo.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let calendar = BusinessCalendar(extraClosedDays: try closedDays())
            let deadline: Deadline
            switch kind {
            case .impugnacao:
                deadline = calendar.impugnacaoDeadline(ciencia: try date(ciencia, "--ciencia"))
            case .recurso:
                deadline = calendar.recursoDeadline(decisionCiencia: try date(ciencia, "--ciencia"))
            case .pagamento:
                deadline = calendar.paymentDueDate(ciencia: try date(ciencia, "--ciencia"))
            case .cadin:
                deadline = calendar.cadinDate(chargeNotification: try date(ciencia, "--ciencia"))
            case .ciencia:
                let available = try date(disponibilizacao, "--disponibilizacao")
                let acknowledged = try ciencia.map { try date($0, "--ciencia") }
                deadline = calendar.ciencia(availableOn: available, acknowledgedOn: acknowledged)
            case .dividaAtiva:
                deadline = calendar.dividaAtivaReferralDate(dueDate: try date(vencimento, "--vencimento"))
            }
            print("\(deadline.date.description) (\(deadline.date.brazilian), \(deadline.date.weekday.nome))")
            print(deadline.explanation)
        }
    }

    private func date(_ value: String?, _ option: String) throws -> CivilDate {
        try parseOption(value, option) { try CivilDate(parsing: $0) }
    }

    private func closedDays() throws -> [ClosedDay] {
        try fechados.map { entry in
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw OperatorError(message: "--fechado deve ser AAAA-MM-DD:motivo, recebido '\(entry)'")
            }
            return ClosedDay(date: try date(String(parts[0]), "--fechado"), reason: String(parts[1]))
        }
    }
}
