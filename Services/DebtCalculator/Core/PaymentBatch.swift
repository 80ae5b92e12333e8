import Foundation
import Models
import Postgres
import Runtime

/// Payments applied as a set (the inbox's batch fast path): exactly the effect of
/// ``DebtLedger/applyPayment(_:context:)`` on each payment in order, in a few statements: the
/// earlier arrivals of the payment ids and the GRUs (locked) are read at once, every payment is
/// settled in memory in order with the same ``DebtLedger/settle(_:earlier:gru:amountDue:)``, and the
/// payments, the GRUs' new state, the cancelled collection steps and the events are written with one
/// multi-row statement each.
extension DebtLedger {
    /// Returns what was recorded of each payment, in order.
    @discardableResult
    func applyPayments(_ payments: [IncomingPayment], context: HandlerContext) throws -> [PaymentRecorded] {
        guard !payments.isEmpty else { return [] }
        let connection = context.connection
        let gruTexts = payments.map { Self.normalizedGRUText($0.gruText) }
        var grus: [String: GRURecord] = [:]
        for row in try connection.query(Self.lockGRUs, [Array(Set(gruTexts)).sorted()]) {
            let gru = try GRURecord(row: row)
            grus[gru.number.value] = gru
        }
        // An installment GRU's payment also moves its parcelamento: those runs take the per-payment path.
        if grus.values.contains(where: { $0.purpose == .installment }) {
            return try payments.map { try applyPayment($0, context: context) }
        }
        var earlier: [String: Int64] = [:]
        for row in try connection.query(Self.countPaymentIDs, [Array(Set(payments.map(\.paymentID)))]) {
            earlier[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1)
        }

        var rows = PaymentRows()
        var events: [any DomainEvent] = []
        var changed: [String] = [], seen = Set<String>()
        var paid: [(kind: String, key: String)] = []
        var recorded: [PaymentRecorded] = []
        for (payment, gruText) in zip(payments, gruTexts) {
            var gru = grus[gruText]
            let outcome = try settle(payment, earlier: earlier[payment.paymentID, default: 0], gru: &gru) {
                try amountDue(of: $0, on: payment.paidOn, connection: connection)
            }
            earlier[payment.paymentID, default: 0] += 1
            recorded.append(outcome.recorded)
            rows.append(outcome.recorded, gruText: payment.gruText, origin: payment.origin, split: outcome.split)
            events += outcome.events
            if let gru, outcome.changedGRU {
                if seen.insert(gru.number.value).inserted { changed.append(gru.number.value) }
                grus[gru.number.value] = gru
                if outcome.fullyPaid {
                    paid += [(DebtWork.cadin, gru.number.value), (DebtWork.dividaAtiva, gru.number.value)]
                }
            }
        }
        _ = try connection.execute(Self.insertPayments, rows.parameters)
        try ScheduledWork.cancel(paid, on: connection)
        try GRURecord.saveAll(changed.compactMap { grus[$0] }, on: connection)
        try emit(all: events, context: context)
        return recorded
    }

    /// The payments table's columns as text arrays, in arrival order.
    struct PaymentRows {
        var columns = [[String]](repeating: [], count: 13)

        mutating func append(_ recorded: PaymentRecorded, gruText: String, origin: String, split: PaymentSplit) {
            let known = recorded.registroANS != nil
            let values: [String] = [
                recorded.paymentID.split(separator: "#").first.map(String.init) ?? recorded.paymentID, gruText,
                known ? recorded.gruNumber : "", recorded.registroANS?.value ?? "", String(recorded.amount.centavos),
                recorded.paidOn.description, origin, recorded.classification.rawValue,
                recorded.dueOnPaymentDate.map { String($0.centavos) } ?? "", String(split.credit.centavos),
                String(split.principal.centavos), String(split.multa.centavos), String(split.juros.centavos)]
            for (index, value) in values.enumerated() { columns[index].append(value) }
        }

        var parameters: [any PostgresEncodable] { columns }
    }

    static let lockGRUs = PostgresStatement(
        "SELECT \(GRURecord.columns) FROM grus WHERE gru_number = ANY($1::text[]) ORDER BY gru_number FOR UPDATE")
    /// How many payments each id of `$1` already has (ids without any are left out): one index probe
    /// per id, as a scalar subquery (see ``knownCharges`` for why not `= ANY($1)`).
    static let countPaymentIDs = PostgresStatement("""
        SELECT id, n FROM (SELECT k.id, (SELECT count(*) FROM payments p WHERE p.payment_id = k.id) AS n
                           FROM unnest($1::text[]) AS k(id)) counted
        WHERE n > 0
        """)
    /// Empty text stands for NULL in the nullable columns (a GRU number, registro ANS or due amount is never empty).
    static let insertPayments = PostgresStatement("""
        INSERT INTO payments (payment_id, gru_text, gru_number, registro_ans, amount, paid_on, origin, classification,
            due_on_payment_date, credit, principal, multa, juros)
        SELECT p.id, p.gru_text, NULLIF(p.gru, ''), NULLIF(p.registro, ''), p.amount::bigint, p.paid_on::date, p.origin,
            p.classification, NULLIF(p.due, '')::bigint, p.credit::bigint, p.principal::bigint, p.multa::bigint, p.juros::bigint
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
            WITH ORDINALITY AS p(id, gru_text, gru, registro, amount, paid_on, origin, classification, due, credit,
                                 principal, multa, juros, position)
        ORDER BY p.position
        """)
}

extension GRURecord {
    /// Writes the mutable fields of several GRUs back in one statement (like `save` on each).
    static func saveAll(_ grus: [GRURecord], on connection: PostgresConnection) throws {
        guard !grus.isEmpty else { return }
        _ = try connection.execute(updateMany, [
            grus.map(\.number.value), grus.map(\.state.rawValue), grus.map { String($0.openPrincipal.centavos) },
            grus.map { String($0.paidTotal.centavos) }, grus.map { String($0.credit.centavos) }, grus.map { String($0.inCadin) },
            PostgresValue.textArray(grus.map(\.courtProcess)), PostgresValue.textArray(grus.map { $0.replacedBy?.value }),
            PostgresValue.textArray(grus.map(\.parcelamentoID)), grus.map { String($0.parcelledPrincipal.centavos) }])
    }

    static let updateMany = PostgresStatement("""
        UPDATE grus SET state = g.state, open_principal = g.open_principal::bigint, paid_total = g.paid_total::bigint,
            credit = g.credit::bigint, in_cadin = g.in_cadin::boolean, court_process = g.court_process,
            replaced_by = g.replaced_by, parcelamento_id = g.parcelamento_id,
            parcelled_principal = g.parcelled_principal::bigint
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[])
            AS g(gru_number, state, open_principal, paid_total, credit, in_cadin, court_process, replaced_by,
                 parcelamento_id, parcelled_principal)
        WHERE grus.gru_number = g.gru_number
        """)
}
