import Foundation
import Models
import Postgres
import Runtime

/// An operator's request to the FNS service (what `ressus fns repassar` submits).
public enum FNSRequest: Codable, Sendable, Hashable {
    /// Transfer the pending settlements of a collection month now.
    case repasse(month: YearMonth)

    var kind: String {
        switch self {
        case .repasse: "repasse"
        }
    }
}

/// What the service answered to a request.
public struct FNSRequestOutcome: Sendable, Hashable {
    public let accepted: Bool
    /// The answer in Portuguese, for the operator.
    public let message: String
}

/// The CLI's front door into the FNS service: a request row in its schema plus an `fns.pedido`
/// scheduled item due at once; the service fires it with its own clock and writes the outcome back.
public enum FNSRequests {
    /// Records `request` and schedules it for the service, in the transaction open on `connection`.
    /// Returns the request's number.
    public static func submit(_ request: FNSRequest, on connection: PostgresConnection) throws -> Int64 {
        let payload = String(decoding: try EventJSON.encoder.encode(request), as: UTF8.self)
        let id = try connection.query(insert, [request.kind, PostgresJSON(payload)])[0].decode(Int64.self, at: 0)
        // Due "at once" under any clock: a simulated clock may be far behind the wall clock.
        try ScheduledWork.schedule(kind: FNSWork.request, key: String(id), dueAt: Date(timeIntervalSince1970: 0),
                                   payloadJSON: "{\"id\":\(id)}", on: connection)
        return id
    }

    /// The outcome of request `id`; nil while the service has not decided it.
    public static func outcome(of id: Int64, on connection: PostgresConnection) throws -> FNSRequestOutcome? {
        let rows = try connection.query(select, [id])
        guard let row = rows.first else { throw PostgresError(kind: .misuse, message: "no request \(id)") }
        let status = try row.decode(String.self, at: 0)
        guard status != "pendente" else { return nil }
        return FNSRequestOutcome(accepted: status == "aceito", message: try row.decode(String?.self, at: 1) ?? "")
    }

    static let insert = PostgresStatement("INSERT INTO requests (kind, payload) VALUES ($1, $2) RETURNING id")
    static let select = PostgresStatement("SELECT status, message FROM requests WHERE id = $1")
    static let lock = PostgresStatement(
        "SELECT payload FROM requests WHERE id = $1 AND status = 'pendente' FOR UPDATE")
    static let recordOutcome = PostgresStatement(
        "UPDATE requests SET status = $2, message = $3, decided_on = $4 WHERE id = $1")
}

extension Repasse {
    private struct RequestReference: Codable { let id: Int64 }

    /// Decides a pending request with the service's clock ("today") and records the outcome.
    func fireRequest(_ item: ScheduledItem, context: HandlerContext) throws {
        let id = try item.payload(as: RequestReference.self).id
        let connection = context.connection
        guard let row = try connection.query(FNSRequests.lock, [id]).first else { return }
        let request = try EventJSON.decoder.decode(
            FNSRequest.self, from: Data(try row.decode(PostgresJSON.self, at: 0).text.utf8))
        let today = BusinessTimeZone.civilDate(of: context.now)
        let outcome: FNSRequestOutcome
        switch request {
        case .repasse(let month):
            outcome = try decideRepasse(month: month, today: today, context: context)
        }
        _ = try connection.execute(FNSRequests.recordOutcome, [
            id, outcome.accepted ? "aceito" : "recusado", outcome.message, today.postgres])
    }

    private func decideRepasse(month: YearMonth, today: CivilDate, context: HandlerContext) throws -> FNSRequestOutcome {
        guard today > month.lastDay else {
            return FNSRequestOutcome(accepted: false, message: "o mês de arrecadação \(month.brazilian) ainda não terminou "
                + "(hoje é \(today.brazilian)); o repasse pode ser feito a partir de \(month.next.firstDay.brazilian)")
        }
        if let event = try transferPending(month: month, on: today, trigger: .operatorRequest, context: context) {
            let kind = event.kind == .regular ? "regular" : "complementar"
            return FNSRequestOutcome(accepted: true, message: """
                Repasse \(event.repasseID) (\(kind)) do mês de arrecadação \(month.brazilian) registrado em \
                \(today.brazilian): principal \(event.principal.formatted), multa \(event.multa.formatted), \
                juros \(event.juros.formatted), total \(event.total.formatted) (\(event.paymentCount) pagamento\(event.paymentCount == 1 ? "" : "s")).
                """)
        }
        let previous = try context.connection.query(Self.lastRepasse, [month.description])
        if let last = previous.first {
            return FNSRequestOutcome(accepted: false, message: "o mês \(month.brazilian) já foi repassado "
                + "(repasse \(try last.decode(String.self, at: 0)) em \(try last.civilDate(at: 1).brazilian)); "
                + "não há liquidações pendentes")
        }
        return FNSRequestOutcome(accepted: false, message: "nenhum pagamento liquidado em \(month.brazilian); nada a repassar")
    }

    static let lastRepasse = PostgresStatement("""
        SELECT repasse_id, transferred_on FROM repasses WHERE collection_month = $1 ORDER BY sequence DESC LIMIT 1
        """)
}
