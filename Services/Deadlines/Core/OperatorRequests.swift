import Foundation
import Models
import Postgres
import Runtime

/// An operator's request to the deadlines service (what the CLI commands submit).
public enum OperatorRequest: Codable, Sendable, Hashable {
    /// Explicit ciência of a notification, acknowledged on `date`.
    case ciencia(abi: ABINumber, registroANS: RegistroANS, date: CivilDate)
    /// Explicit ciência of the latest decision on atendimento `document`, acknowledged on `date`.
    case decisionCiencia(document: SUSDocumentNumber, date: CivilDate)
    case impugnacao(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber,
                    grounds: ImpugnacaoGrounds, text: String)
    case recurso(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, text: String)
    /// `amount` is the corrected value of a parcialmente deferida decision.
    case decision(document: SUSDocumentNumber, instance: DecisionInstance, result: DecisionResult, amount: Money?)

    /// Short name stored with the request.
    var kind: String {
        switch self {
        case .ciencia: "ciencia"
        case .decisionCiencia: "ciencia_decisao"
        case .impugnacao: "impugnacao"
        case .recurso: "recurso"
        case .decision(_, let instance, _, _): instance == .impugnacao ? "decisao_impugnacao" : "decisao_recurso"
        }
    }
}

/// What the service answered to a request.
public struct RequestOutcome: Sendable, Hashable {
    public let accepted: Bool
    /// The answer in Portuguese, for the operator.
    public let message: String
}

/// The CLI's front door into the deadlines service: a request row in the deadlines schema plus a
/// `deadlines.pedido` scheduled item due at once; the service fires it with its own clock and
/// writes the outcome back.
public enum OperatorRequests {
    /// Records `request` and schedules it for the service, in the transaction open on `connection`.
    /// Returns the request's number.
    public static func submit(_ request: OperatorRequest, on connection: PostgresConnection) throws -> Int64 {
        let payload = String(decoding: try EventJSON.encoder.encode(request), as: UTF8.self)
        let id = try connection.query(insert, [request.kind, PostgresJSON(payload)])[0].decode(Int64.self, at: 0)
        // Due "at once" under any clock: a simulated clock may be far behind the wall clock.
        try ScheduledWork.schedule(kind: DeadlineWork.request, key: String(id), dueAt: Date(timeIntervalSince1970: 0),
                                   payloadJSON: "{\"id\":\(id)}", on: connection)
        return id
    }

    /// The outcome of request `id`; nil while the service has not decided it.
    public static func outcome(of id: Int64, on connection: PostgresConnection) throws -> RequestOutcome? {
        let rows = try connection.query(select, [id])
        guard let row = rows.first else { throw PostgresError(kind: .misuse, message: "no request \(id)") }
        let status = try row.decode(String.self, at: 0)
        guard status != "pendente" else { return nil }
        return RequestOutcome(accepted: status == "aceito", message: try row.decode(String?.self, at: 1) ?? "")
    }

    static let insert = PostgresStatement("INSERT INTO requests (kind, payload) VALUES ($1, $2) RETURNING id")
    static let select = PostgresStatement("SELECT status, message FROM requests WHERE id = $1")
}

extension DeadlineProcess {
    private struct RequestReference: Codable { let id: Int64 }

    /// Decides a pending request with the service's clock ("today") and records the outcome.
    func fireRequest(_ item: ScheduledItem, context: HandlerContext) throws {
        let id = try item.payload(as: RequestReference.self).id
        let connection = context.connection
        let rows = try connection.query(Self.lockRequest, [id])
        guard let row = rows.first else { return }
        let request = try EventJSON.decoder.decode(
            OperatorRequest.self, from: Data(try row.decode(PostgresJSON.self, at: 0).text.utf8))
        let today = BusinessTimeZone.civilDate(of: context.now)
        let outcome = try decide(request, today: today, context: context)
        _ = try connection.execute(Self.recordOutcome, [
            id, outcome.accepted ? "aceito" : "recusado", outcome.message, today.postgres])
    }

    private func decide(_ request: OperatorRequest, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        switch request {
        case .ciencia(let abi, let registro, let date):
            try registerCiencia(abi: abi, registroANS: registro, date: date, today: today, context: context)
        case .decisionCiencia(let document, let date):
            try registerDecisionCiencia(document: document, date: date, today: today, context: context)
        case .impugnacao(let abi, let registro, let document, let grounds, let text):
            try fileImpugnacao(abi: abi, registroANS: registro, document: document, grounds: grounds, text: text,
                               today: today, context: context)
        case .recurso(let abi, let registro, let document, let text):
            try fileRecurso(abi: abi, registroANS: registro, document: document, text: text, today: today, context: context)
        case .decision(let document, let instance, let result, let amount):
            try decide(document: document, instance: instance, result: result, amount: amount, today: today, context: context)
        }
    }

    static let lockRequest = PostgresStatement(
        "SELECT payload FROM requests WHERE id = $1 AND status = 'pendente' FOR UPDATE")
    static let recordOutcome = PostgresStatement(
        "UPDATE requests SET status = $2, message = $3, decided_on = $4 WHERE id = $1")
}

func accepted(_ message: String) -> RequestOutcome { RequestOutcome(accepted: true, message: message) }
func refused(_ message: String) -> RequestOutcome { RequestOutcome(accepted: false, message: message) }
