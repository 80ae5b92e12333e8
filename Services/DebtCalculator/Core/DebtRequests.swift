import Foundation
import Models
import Postgres
import Runtime

/// An operator's request to the debt calculator (what the CLI commands submit).
public enum DebtRequest: Codable, Sendable, Hashable {
    /// A bank-return file whose valid rows were stored in `incoming_payments` with this request.
    case importPayments(file: String, rows: Int)
    case reissue(gru: GRUNumber, dueDate: CivilDate?)
    case suspend(gru: GRUNumber, process: String)
    case lift(gru: GRUNumber, process: String)
    case parcelamento(registroANS: RegistroANS, grus: [GRUNumber], installments: Int)

    var kind: String {
        switch self {
        case .importPayments: "pagamentos"
        case .reissue: "reemissao"
        case .suspend: "suspensao"
        case .lift: "levantamento_suspensao"
        case .parcelamento: "parcelamento"
        }
    }
}

/// What the service answered to a request.
public struct RequestOutcome: Sendable, Hashable {
    public let accepted: Bool
    /// The answer in Portuguese, for the operator.
    public let message: String
    /// Details for `--json` (e.g. the new GRU number).
    public var result: [String: String] = [:]
}

func accepted(_ message: String, result: [String: String] = [:]) -> RequestOutcome {
    RequestOutcome(accepted: true, message: message, result: result)
}
func refused(_ message: String) -> RequestOutcome { RequestOutcome(accepted: false, message: message) }

/// The CLI's front door into the debt calculator: a request row in the debt schema plus a
/// `debt.pedido` scheduled item due at once; the service fires it with its own clock and writes the
/// outcome back.
public enum DebtRequests {
    /// Records `request` (and, for a bank-return file, its valid `payments` with their row numbers) and
    /// schedules it for the service, in the transaction open on `connection`. Returns its number.
    public static func submit(_ request: DebtRequest, payments: [(row: Int, payment: IncomingPayment)] = [],
                              on connection: PostgresConnection) throws -> Int64 {
        let payload = String(decoding: try EventJSON.encoder.encode(request), as: UTF8.self)
        let id = try connection.query(insert, [request.kind, PostgresJSON(payload)])[0].decode(Int64.self, at: 0)
        if !payments.isEmpty {
            _ = try connection.execute(insertPayments, [
                id, payments.map { String($0.row) }, payments.map(\.payment.paymentID), payments.map(\.payment.gruText),
                payments.map { String($0.payment.amount.centavos) }, payments.map(\.payment.paidOn.description),
                payments.map(\.payment.origin)])
        }
        // Due "at once" under any clock: a simulated clock may be far behind the wall clock.
        try ScheduledWork.schedule(kind: DebtWork.request, key: String(id), dueAt: Date(timeIntervalSince1970: 0),
                                   payloadJSON: "{\"id\":\(id)}", on: connection)
        return id
    }

    /// The outcome of request `id`; nil while the service has not decided it.
    public static func outcome(of id: Int64, on connection: PostgresConnection) throws -> RequestOutcome? {
        let rows = try connection.query(select, [id])
        guard let row = rows.first else { throw PostgresError(kind: .misuse, message: "no request \(id)") }
        let status = try row.decode(String.self, at: 0)
        guard status != "pendente" else { return nil }
        let resultJSON = try row.decode(PostgresJSON?.self, at: 2)?.text ?? "{}"
        let result = (try? JSONDecoder().decode([String: String].self, from: Data(resultJSON.utf8))) ?? [:]
        return RequestOutcome(accepted: status == "aceito", message: try row.decode(String?.self, at: 1) ?? "", result: result)
    }

    static let insert = PostgresStatement("INSERT INTO requests (kind, payload) VALUES ($1, $2) RETURNING id")
    static let select = PostgresStatement("SELECT status, message, result FROM requests WHERE id = $1")
    static let insertPayments = PostgresStatement("""
        INSERT INTO incoming_payments (request_id, row_number, payment_id, gru_text, amount, paid_on, origin)
        SELECT $1, r::integer, p, g, a::bigint, d::date, o
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(r, p, g, a, d, o)
        """)
}

extension DebtLedger {
    private struct RequestReference: Codable { let id: Int64 }

    /// Decides a pending request with the service's clock ("today") and records the outcome.
    func fireRequest(_ item: ScheduledItem, context: HandlerContext) throws {
        let id = try item.payload(as: RequestReference.self).id
        let connection = context.connection
        guard let row = try connection.query(Self.lockRequest, [id]).first else { return }
        let request = try EventJSON.decoder.decode(
            DebtRequest.self, from: Data(try row.decode(PostgresJSON.self, at: 0).text.utf8))
        let today = BusinessTimeZone.civilDate(of: context.now)
        // Payments, reissues and parcelamentos compute acréscimos: with the schema's SELIC table.
        let ledger = try withPublishedSelic(on: connection)
        let outcome: RequestOutcome
        switch request {
        case .importPayments:
            outcome = try ledger.processImport(request: id, context: context)
        case .reissue(let gru, let due):
            outcome = try ledger.reissue(gru: gru, newDue: due, today: today, context: context)
        case .suspend(let gru, let process):
            outcome = try ledger.suspend(gru: gru, process: process, today: today, context: context)
        case .lift(let gru, let process):
            outcome = try ledger.lift(gru: gru, process: process, today: today, context: context)
        case .parcelamento(let registro, let grus, let count):
            outcome = try ledger.requestParcelamento(registroANS: registro, grus: grus, installments: count, today: today,
                                              context: context)
        }
        let result = String(decoding: try JSONEncoder().encode(outcome.result), as: UTF8.self)
        _ = try connection.execute(Self.recordOutcome, [
            id, outcome.accepted ? "aceito" : "recusado", outcome.message, PostgresJSON(result), today.postgres])
    }

    /// Matches every stored row of an imported bank-return file, in file order.
    func processImport(request id: Int64, context: HandlerContext) throws -> RequestOutcome {
        let rows = try context.connection.query(Self.pendingPayments, [id])
        var counts: [PaymentClassification: Int] = [:]
        var total = Money.zero
        for row in rows {
            let payment = IncomingPayment(
                paymentID: try row.decode(String.self, at: 0), gruText: try row.decode(String.self, at: 1),
                amount: try row.money(at: 2), paidOn: try row.civilDate(at: 3), origin: try row.decode(String.self, at: 4))
            let recorded = try applyPayment(payment, context: context)
            counts[recorded.classification, default: 0] += 1
            total += payment.amount
        }
        _ = try context.connection.execute(Self.markProcessed, [id])
        let summary = PaymentClassification.allCases.compactMap { c in counts[c].map { "\(c.rawValue): \($0)" } }
        var result = Dictionary(uniqueKeysWithValues: PaymentClassification.allCases.map { ($0.rawValue, String(counts[$0] ?? 0)) })
        result["pagamentos"] = String(rows.count)
        result["total"] = total.decimalString
        let flagged = counts.filter { $0.key.isFlagged }.values.reduce(0, +)
        return accepted("\(rows.count) pagamento(s) processado(s), total \(total.formatted) ("
            + summary.joined(separator: ", ") + ")"
            + (flagged > 0 ? "; \(flagged) sinalizado(s) para análise do operador" : ""), result: result)
    }

    static let lockRequest = PostgresStatement(
        "SELECT payload FROM requests WHERE id = $1 AND status = 'pendente' FOR UPDATE")
    static let recordOutcome = PostgresStatement(
        "UPDATE requests SET status = $2, message = $3, result = $4, decided_on = $5 WHERE id = $1")
    static let pendingPayments = PostgresStatement("""
        SELECT payment_id, gru_text, amount, paid_on, origin FROM incoming_payments
        WHERE request_id = $1 AND NOT processed ORDER BY row_number, id
        """)
    static let markProcessed = PostgresStatement("UPDATE incoming_payments SET processed = true WHERE request_id = $1")
}
