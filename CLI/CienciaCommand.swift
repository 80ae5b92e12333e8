import ArgumentParser
import DeadlinesCore
import Foundation
import Models

/// `ressus ciencia registrar`: explicit ciência of a notification (or of a decision), decided by the
/// deadlines service with its clock.
struct CienciaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ciencia",
        abstract: "Ciência de notificações (Ofício ABI) e de decisões.",
        subcommands: [Registrar.self]
    )

    struct Registrar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registrar",
            abstract: "Registra a ciência expressa de uma notificação ou de uma decisão.",
            discussion: """
                Notificação: --abi N --operadora REGISTRO --data AAAA-MM-DD. Vale a primeira entre a ciência \
                expressa e a tácita (disponibilização + 10 dias, RN 377/2015); depois da ciência tácita o \
                registro é recusado (e fica registrado como recusado).
                Decisão: --decisao ATENDIMENTO --data AAAA-MM-DD (a última decisão sobre o atendimento; sem \
                registro, a ciência é tácita 10 dias após a decisão). Para uma APAC notificada em mais de uma \
                competência, informe também --competencia AAAA-MM.
                O serviço de prazos decide com o seu relógio; este comando aguarda a resposta.
                """
        )

        @Option(name: .customLong("abi"), help: "Número da ABI.")
        var abi: String?

        @Option(name: .customLong("operadora"), help: "Registro ANS da operadora (6 dígitos).")
        var operadora: String?

        @Option(name: .customLong("decisao"), help: "Documento SUS do atendimento cuja decisão recebeu ciência.")
        var decisao: String?

        @OptionGroup var competencia: CompetenciaOption

        @Option(name: .customLong("data"), help: "Data da ciência (AAAA-MM-DD ou DD/MM/AAAA).")
        var data: String?

        @OptionGroup var pedido: DeadlinesRequestOptions

        func run() async throws {
            try await Console.reportingAsyncErrors {
                let date = try parseOption(data, "--data") { try CivilDate(parsing: $0) }
                let request: OperatorRequest
                switch (decisao, abi ?? operadora) {
                case (let document?, nil):
                    request = .decisionCiencia(
                        document: try parseOption(document, "--decisao") { try SUSDocumentNumber($0) },
                        competencia: try competencia.parsed(), date: date)
                case (nil, _?):
                    if competencia.competencia != nil {
                        throw OperatorError(message: "--competencia só se aplica à ciência de decisão (--decisao)")
                    }
                    request = .ciencia(
                        abi: try parseOption(abi, "--abi") { try ABINumber(parsing: $0) },
                        registroANS: try parseOption(operadora, "--operadora") { try RegistroANS($0) }, date: date)
                case (nil, nil):
                    throw OperatorError(message: "informe --abi e --operadora (notificação) ou --decisao (decisão)")
                case (_?, _?):
                    throw OperatorError(message: "informe --abi e --operadora, ou --decisao, não ambos")
                }
                try await pedido.submit(request)
            }
        }
    }
}
