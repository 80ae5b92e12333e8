import Foundation
import Models
import Postgres
import Runtime

/// An operator's request to the deadlines service (what the CLI commands submit).
public enum OperatorRequest: DeskRequest, Hashable {
    /// Explicit ciência of a notification, acknowledged on `date`.
    case ciencia(abi: ABINumber, registroANS: RegistroANS, date: CivilDate)
    // An atendimento is named by its SUS document and, when the document names more than one
    // atendimento (an APAC notified for several competências, DOMAIN §1), its `competencia`; nil
    // otherwise (requests stored before the field decode with nil). An ambiguous request is refused.

    /// Explicit ciência of the latest decision on atendimento `document`, acknowledged on `date`.
    case decisionCiencia(document: SUSDocumentNumber, competencia: YearMonth? = nil, date: CivilDate)
    case impugnacao(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth? = nil,
                    grounds: ImpugnacaoGrounds, text: String)
    case recurso(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth? = nil,
                 text: String)
    /// `amount` is the corrected value of a parcialmente deferida decision.
    case decision(document: SUSDocumentNumber, competencia: YearMonth? = nil, instance: DecisionInstance,
                  result: DecisionResult, amount: Money?)

    public static let work = DeadlineWork.request

    /// Short name stored with the request.
    public var kind: String {
        switch self {
        case .ciencia: "ciencia"
        case .decisionCiencia: "ciencia_decisao"
        case .impugnacao: "impugnacao"
        case .recurso: "recurso"
        case .decision(_, _, let instance, _, _): instance == .impugnacao ? "decisao_impugnacao" : "decisao_recurso"
        }
    }
}

extension DeadlineProcess {
    /// Decides pending requests, in order, with the service's clock ("today") and records the outcomes.
    func fireRequests(_ items: [ScheduledItem], context: HandlerContext) throws {
        try OperatorRequestDesk.fire(items, as: OperatorRequest.self, context: context) { request, _, today in
            try decide(request, today: today, context: context)
        }
    }

    /// `fireRequests` for a batch, with the same outcomes: each run of ciências of distinct
    /// notifications (`ressus carga reproduzir` files thousands) is decided set-based
    /// (``registerCiencias(_:today:context:)``), every other request one by one in its place.
    func fireRequestsInRuns(_ items: [ScheduledItem], context: HandlerContext) throws {
        try OperatorRequestDesk.fire(items, as: OperatorRequest.self, context: context) { requests, today in
            var outcomes: [RequestOutcome] = []
            var run: [(abi: ABINumber, registroANS: RegistroANS, date: CivilDate)] = [], keys = Set<String>()
            func decideRun() throws {
                outcomes += try registerCiencias(run, today: today, context: context)
                run = []
                keys = []
            }
            for (request, _) in requests {
                guard case .ciencia(let abi, let registro, let date) = request else {
                    try decideRun()
                    outcomes.append(try decide(request, today: today, context: context))
                    continue
                }
                // A second ciência of one notification depends on the first: it starts a new run.
                let key = DeadlineWork.notificationKey(abi: abi.value, registro: registro.value)
                if keys.contains(key) { try decideRun() }
                keys.insert(key)
                run.append((abi, registro, date))
            }
            try decideRun()
            return outcomes
        }
    }

    private func decide(_ request: OperatorRequest, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        switch request {
        case .ciencia(let abi, let registro, let date):
            try registerCiencia(abi: abi, registroANS: registro, date: date, today: today, context: context)
        case .decisionCiencia(let document, let competencia, let date):
            try registerDecisionCiencia(document: document, competencia: competencia, date: date, today: today,
                                        context: context)
        case .impugnacao(let abi, let registro, let document, let competencia, let grounds, let text):
            try fileImpugnacao(abi: abi, registroANS: registro, document: document, competencia: competencia,
                               grounds: grounds, text: text, today: today, context: context)
        case .recurso(let abi, let registro, let document, let competencia, let text):
            try fileRecurso(abi: abi, registroANS: registro, document: document, competencia: competencia, text: text,
                            today: today, context: context)
        case .decision(let document, let competencia, let instance, let result, let amount):
            try decide(document: document, competencia: competencia, instance: instance, result: result, amount: amount,
                       today: today, context: context)
        }
    }
}
