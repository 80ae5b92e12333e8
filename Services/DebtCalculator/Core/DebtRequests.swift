import Foundation
import Models
import Postgres
import Runtime

/// An operator's request to the debt calculator (what the CLI commands submit).
public enum DebtRequest: DeskRequest, Hashable {
    /// A bank-return file whose valid rows were stored in `incoming_payments` with this request.
    case importPayments(file: String, rows: Int)
    case reissue(gru: GRUNumber, dueDate: CivilDate?)
    case suspend(gru: GRUNumber, process: String)
    case lift(gru: GRUNumber, process: String)
    case parcelamento(registroANS: RegistroANS, grus: [GRUNumber], installments: Int)

    public static let work = DebtWork.request
    /// Outcomes carry details (e.g. the new GRU number) for `--json`.
    public static let keepsResult = true

    public var kind: String {
        switch self {
        case .importPayments: "pagamentos"
        case .reissue: "reemissao"
        case .suspend: "suspensao"
        case .lift: "levantamento_suspensao"
        case .parcelamento: "parcelamento"
        }
    }
}

/// What the debt calculator's requests carry beyond ``OperatorRequestDesk``: a bank-return file's
/// valid rows, stored with the request for the service to match.
public enum DebtRequests {
    /// Records `request` (and, for a bank-return file, its valid `payments` with their row numbers) and
    /// schedules it for the service, in the transaction open on `connection`. Returns its number.
    public static func submit(_ request: DebtRequest, payments: [(row: Int, payment: IncomingPayment)] = [],
                              on connection: PostgresConnection) throws -> Int64 {
        let id = try OperatorRequestDesk.submit(request, on: connection)
        if !payments.isEmpty {
            _ = try connection.execute(insertPayments, [
                id, payments.map { String($0.row) }, payments.map(\.payment.paymentID), payments.map(\.payment.gruText),
                payments.map { String($0.payment.amount.centavos) }, payments.map(\.payment.paidOn.description),
                payments.map(\.payment.origin)])
        }
        return id
    }

    static let insertPayments = PostgresStatement("""
        INSERT INTO incoming_payments (request_id, row_number, payment_id, gru_text, amount, paid_on, origin)
        SELECT $1, r::integer, p, g, a::bigint, d::date, o
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(r, p, g, a, d, o)
        """)
}

extension DebtLedger {
    /// Decides pending requests, in order, with the service's clock ("today") and records the outcomes.
    func fireRequests(_ items: [ScheduledItem], context: HandlerContext) throws {
        try OperatorRequestDesk.fire(items, as: DebtRequest.self, context: context) { request, id, today in
            // Payments, reissues and parcelamentos compute acréscimos: with the schema's SELIC table.
            let ledger = try withPublishedSelic(on: context.connection)
            switch request {
            case .importPayments:
                return try ledger.processImport(request: id, context: context)
            case .reissue(let gru, let due):
                return try ledger.reissue(gru: gru, newDue: due, today: today, context: context)
            case .suspend(let gru, let process):
                return try ledger.suspend(gru: gru, process: process, today: today, context: context)
            case .lift(let gru, let process):
                return try ledger.lift(gru: gru, process: process, today: today, context: context)
            case .parcelamento(let registro, let grus, let count):
                return try ledger.requestParcelamento(registroANS: registro, grus: grus, installments: count,
                                                      today: today, context: context)
            }
        }
    }

    /// Matches every stored row of an imported bank-return file, in file order: `paymentImportChunk`
    /// payments at a time with the set-based ``applyPayments(_:context:)``, which has exactly the
    /// effect of ``applyPayment(_:context:)`` on each payment in order.
    func processImport(request id: Int64, context: HandlerContext) throws -> RequestOutcome {
        let payments = try context.connection.query(Self.pendingPayments, [id]).map { row in
            IncomingPayment(
                paymentID: try row.decode(String.self, at: 0), gruText: try row.decode(String.self, at: 1),
                amount: try row.money(at: 2), paidOn: try row.civilDate(at: 3), origin: try row.decode(String.self, at: 4))
        }
        var counts: [PaymentClassification: Int] = [:]
        for start in stride(from: 0, to: payments.count, by: settings.paymentImportChunk) {
            let chunk = payments[start..<min(start + settings.paymentImportChunk, payments.count)]
            for recorded in try applyPayments(Array(chunk), context: context) {
                counts[recorded.classification, default: 0] += 1
            }
        }
        let total = payments.reduce(Money.zero) { $0 + $1.amount }
        _ = try context.connection.execute(Self.markProcessed, [id])
        let summary = PaymentClassification.allCases.compactMap { c in counts[c].map { "\(c.rawValue): \($0)" } }
        var result = Dictionary(uniqueKeysWithValues: PaymentClassification.allCases.map { ($0.rawValue, String(counts[$0] ?? 0)) })
        result["pagamentos"] = String(payments.count)
        result["total"] = total.decimalString
        let flagged = counts.filter { $0.key.isFlagged }.values.reduce(0, +)
        return .accepted("\(payments.count) pagamento(s) processado(s), total \(total.formatted) ("
            + summary.joined(separator: ", ") + ")"
            + (flagged > 0 ? "; \(flagged) sinalizado(s) para análise do operador" : ""), result: result)
    }

    static let pendingPayments = PostgresStatement("""
        SELECT payment_id, gru_text, amount, paid_on, origin FROM incoming_payments
        WHERE request_id = $1 AND NOT processed ORDER BY row_number, id
        """)
    static let markProcessed = PostgresStatement("UPDATE incoming_payments SET processed = true WHERE request_id = $1")
}
