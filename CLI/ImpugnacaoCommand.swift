import ArgumentParser
import DeadlinesCore
import Foundation
import Models

/// `ressus impugnacao registrar|decidir` (DOMAIN §3), decided by the deadlines service with its clock.
struct ImpugnacaoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impugnacao",
        abstract: "Impugnações de atendimentos e suas decisões (primeira instância).",
        subcommands: [Registrar.self, Decidir.self]
    )

    struct Registrar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registrar",
            abstract: "Registra a impugnação de um atendimento (prazo: 30 dias da ciência).",
            discussion: "Fora do prazo, a impugnação é recusada com o motivo e fica registrada como recusada."
        )

        @OptionGroup var alvo: FilingTarget

        @Option(name: .customLong("fundamento"), help: "Fundamento: tecnico ou administrativo.")
        var fundamento: String?

        @Option(name: .customLong("texto"), help: "Texto da impugnação.")
        var texto: String?

        @OptionGroup var pedido: DeadlinesRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let request = OperatorRequest.impugnacao(
                    abi: try alvo.abiNumber(), registroANS: try alvo.registroANS(), document: try alvo.document(),
                    competencia: try alvo.competencia.parsed(), grounds: try grounds(),
                    text: try requiredText(texto, "--texto"))
                try await pedido.submit(request)
            }
        }

        private func grounds() throws -> ImpugnacaoGrounds {
            guard let fundamento else { throw OperatorError(message: "informe --fundamento (tecnico ou administrativo)") }
            let normalized = fundamento.lowercased().replacingOccurrences(of: "é", with: "e")
            guard let grounds = ImpugnacaoGrounds(rawValue: normalized) else {
                throw OperatorError(message: "--fundamento deve ser tecnico ou administrativo, recebido '\(fundamento)'")
            }
            return grounds
        }
    }

    struct Decidir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decidir",
            abstract: "Registra a decisão sobre a impugnação de um atendimento.",
            discussion: """
                deferida: atendimento anulado (valor 0); parcial: valor corrigido (--valor); indeferida: o valor \
                permanece. A operadora pode recorrer em 10 dias da ciência da decisão.
                """
        )

        @OptionGroup var decisao: DecisionOptions
        @OptionGroup var pedido: DeadlinesRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                try await pedido.submit(try decisao.request(instance: .impugnacao))
            }
        }
    }
}

/// `--atendimento`, `--competencia`, `--decisao` and `--valor` of the `decidir` commands.
struct DecisionOptions: ParsableArguments {
    @Option(name: .customLong("atendimento"), help: "Número do documento SUS (AIH/APAC, 13 dígitos).")
    var atendimento: String?

    @OptionGroup var competencia: CompetenciaOption

    @Option(name: .customLong("decisao"), help: "deferida, parcial ou indeferida.")
    var decisao: String?

    @Option(name: .customLong("valor"), help: "Novo valor (decisão parcial), ex.: 1234,56.")
    var valor: String?

    func request(instance: DecisionInstance) throws -> OperatorRequest {
        guard let decisao else { throw OperatorError(message: "informe --decisao (deferida, parcial ou indeferida)") }
        guard let result = DecisionResult(rawValue: decisao.lowercased()) else {
            throw OperatorError(message: "--decisao deve ser deferida, parcial ou indeferida, recebido '\(decisao)'")
        }
        let amount = try valor.map { text in try parseOption(text, "--valor") { try Money(parsing: $0) } }
        if result == .parcialmenteDeferida, amount == nil {
            throw OperatorError(message: "a decisão parcial exige --valor (o novo valor)")
        }
        if result != .parcialmenteDeferida, amount != nil {
            throw OperatorError(message: "--valor só se aplica à decisão parcial")
        }
        return .decision(
            document: try parseOption(atendimento, "--atendimento") { try SUSDocumentNumber($0) },
            competencia: try competencia.parsed(), instance: instance, result: result, amount: amount)
    }
}

/// `--abi`, `--operadora`, `--atendimento` and `--competencia`: the atendimento an impugnação or recurso is about.
struct FilingTarget: ParsableArguments {
    @Option(name: .customLong("abi"), help: "Número da ABI.")
    var abi: String?

    @Option(name: .customLong("operadora"), help: "Registro ANS da operadora (6 dígitos).")
    var operadora: String?

    @Option(name: .customLong("atendimento"), help: "Número do documento SUS (AIH/APAC, 13 dígitos).")
    var atendimento: String?

    @OptionGroup var competencia: CompetenciaOption

    func abiNumber() throws -> ABINumber { try parseOption(abi, "--abi") { try ABINumber(parsing: $0) } }
    func registroANS() throws -> RegistroANS { try parseOption(operadora, "--operadora") { try RegistroANS($0) } }
    func document() throws -> SUSDocumentNumber { try parseOption(atendimento, "--atendimento") { try SUSDocumentNumber($0) } }
}

/// `--competencia AAAA-MM`: which atendimento a document names when it names more than one (an APAC
/// is its number and competência, DOMAIN §1). The deadlines service refuses an ambiguous request.
struct CompetenciaOption: ParsableArguments {
    @Option(name: .customLong("competencia"), help: """
        Competência do atendimento (AAAA-MM). Obrigatória quando o documento é uma APAC com mais de uma \
        competência na notificação.
        """)
    var competencia: String?

    func parsed() throws -> YearMonth? {
        try competencia.map { text in try parseOption(text, "--competencia") { try YearMonth(parsing: $0) } }
    }
}

/// A required free text, trimmed and not empty.
func requiredText(_ value: String?, _ option: String) throws -> String {
    guard let text = value?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
        throw OperatorError(message: "informe \(option)")
    }
    return text
}
