import Foundation
import Models
import Postgres
import Runtime

/// Charges applied as a set (the inbox's batch fast path): exactly the effect of
/// ``DebtLedger/charge(_:context:)`` on each event in order, in a few statements. The charges
/// already known and the held small charges of the operadoras involved are read at once; the
/// charges are then decided in memory in event order (own GRU, held, or completing the held
/// total), GRU numbers are drawn from the sequence in one statement in the same order as the
/// per-event path draws them (a replayed large charge still burns a number), and charges, covered
/// held charges, GRUs, outbox events and collection steps are written with one statement each.
extension DebtLedger {
    func chargeBatch(_ events: [AtendimentosChargeable], context: HandlerContext) throws {
        let inputs = events.compactMap(chargeInput)
        guard !inputs.isEmpty else { return }
        let connection = context.connection
        let threshold = policy.smallDebtThreshold
        var known = Set(try connection.query(Self.knownCharges, [inputs.map(\.chargeID)]).map { try $0.decode(String.self, at: 0) })
        let smallRegistros = Set(inputs.filter { $0.total <= threshold }.map(\.event.registroANS.value))
        var held: [String: [HeldCharge]] = [:]
        if !smallRegistros.isEmpty {
            for row in try connection.query(Self.heldChargesOf, [smallRegistros.sorted()]) {
                held[try row.decode(String.self, at: 5), default: []].append(try Self.heldCharge(row: row))
            }
        }

        // Decide every charge in order; `nil` covered list: a number burnt by a replayed large charge.
        enum Step { case burn, issue(ChargeInput, [HeldCharge]), hold(ChargeInput, Money) }
        var steps: [Step] = []
        var added: [ChargeInput] = []
        for input in inputs {
            let isNew = known.insert(input.chargeID).inserted
            if input.total > threshold {
                guard isNew else { steps.append(.burn); continue }
                added.append(input)
                steps.append(.issue(input, [input.held]))
                continue
            }
            guard isNew else { continue }
            added.append(input)
            let registro = input.event.registroANS.value
            var list = held[registro, default: []]
            // The held charges' order (`heldCharges`: issued_on, charge_id; the schema's collation
            // orders these ASCII ids bytewise, like Swift).
            let position = list.firstIndex { ($0.issuedOn, $0.id) > (input.event.chargeableOn, input.chargeID) } ?? list.endIndex
            list.insert(input.held, at: position)
            let heldTotal = Money.sum(list.map(\.total))
            if heldTotal > threshold {
                steps.append(.issue(input, list))
                held[registro] = []
            } else {
                steps.append(.hold(input, heldTotal))
                held[registro] = list
            }
        }

        let drawCount = steps.count { if case .hold = $0 { false } else { true } }
        var numbers = try connection.query(Self.drawNumbers, [drawCount]).map {
            try GRUNumber(prefix: policy.gruIssuerPrefix, sequence: try $0.decode(Int64.self, at: 0))
        }.makeIterator()
        var published: LateChargeCalculator?
        var grus: [GRURecord] = []
        var outbox: [any DomainEvent] = []
        var coveredBy: [String: String] = [:]
        for step in steps {
            switch step {
            case .burn:
                _ = numbers.next()
            case .hold(let input, let heldTotal):
                outbox.append(Self.heldChargeIssued(input, heldTotal: heldTotal))
            case .issue(let input, let covered):
                guard let number = numbers.next() else { throw BatchNumbering.tooFewNumbers }
                let calculator: LateChargeCalculator
                if Self.accrualDate(of: input, covering: covered) < input.dueDate {
                    if published == nil { published = try withPublishedSelic(on: connection).settings.calculator }
                    calculator = published!
                } else {
                    calculator = settings.calculator
                }
                let (gru, charge) = coveringGRU(for: input, covered: covered, number: number, calculator: calculator)
                for charge in covered { coveredBy[charge.id] = number.value }
                grus.append(gru)
                outbox += [charge, gru.issuedEvent]
            }
        }

        try insertCharges(added, coveredBy: &coveredBy, on: connection)
        if !coveredBy.isEmpty {
            // Held charges stored by earlier transactions, now covered.
            let ids = coveredBy.keys.sorted()
            _ = try connection.execute(Self.coverHeldCharges, [ids, ids.map { coveredBy[$0]! }])
        }
        try GRURecord.insertIssued(grus, on: connection)
        try emit(all: outbox, context: context)
        try ScheduledWork.schedule(grus.flatMap(collectionSteps(of:)), on: connection)
    }

    /// Inserts the new charges in order, each with its GRU when one covers it (removed from `coveredBy`).
    private func insertCharges(_ charges: [ChargeInput], coveredBy: inout [String: String],
                               on connection: PostgresConnection) throws {
        guard !charges.isEmpty else { return }
        var columns = [[String]](repeating: [], count: 11)
        for input in charges {
            let event = input.event
            let values = [
                input.chargeID, String(event.abi.value), event.registroANS.value, String(input.total.centavos),
                event.chargeableOn.description, input.accrual.description, input.dueDate.description,
                Self.arrayInput(input.charged.map(\.document.value)),
                Self.arrayInput(input.charged.map { String($0.amount.centavos) }),
                Self.arrayInput(input.charged.map { $0.competencia?.description ?? "" }),
                coveredBy.removeValue(forKey: input.chargeID) ?? ""]
            for (index, value) in values.enumerated() { columns[index].append(value) }
        }
        _ = try connection.execute(Self.insertCharges, columns)
    }

    enum BatchNumbering: Error { case tooFewNumbers }

    /// A `text[]` in input form, to travel as one element of an outer text array.
    static func arrayInput(_ elements: [String]) -> String { PostgresValue.textArray(elements).textInput }

    /// The charge ids of `$1` already charged. One index probe per id, written as a scalar subquery
    /// so that no plan can turn it into a scan: `charge_id = ANY($1)` kept, as a cached generic plan,
    /// the sequential scan chosen while the table was small (BENCHMARKS.md, debt calculator).
    static let knownCharges = PostgresStatement("""
        SELECT k.id FROM unnest($1::text[]) AS k(id)
        WHERE (SELECT true FROM charges c WHERE c.charge_id = k.id)
        """)
    static let heldChargesOf = PostgresStatement("""
        SELECT charge_id, abi, total, original_due_date, issued_on, registro_ans FROM charges
        WHERE registro_ans = ANY($1::text[]) AND gru_number IS NULL ORDER BY registro_ans, issued_on, charge_id
        """)
    /// `n` numbers of the GRU sequence, in drawing order.
    static let drawNumbers = PostgresStatement(
        "SELECT n FROM (SELECT nextval('gru_sequence') AS n FROM generate_series(1, $1::bigint)) drawn ORDER BY n")
    /// Empty GRU text stands for NULL (a held charge).
    static let insertCharges = PostgresStatement("""
        INSERT INTO charges (charge_id, abi, registro_ans, total, issued_on, original_due_date, payment_due_date, documents,
            amounts, competencias, gru_number)
        SELECT c.id, c.abi::integer, c.registro, c.total::bigint, c.issued::date, c.accrual::date, c.due::date,
            c.documents::text[], c.amounts::text[], c.competencias::text[], NULLIF(c.gru, '')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[], $11::text[])
            WITH ORDINALITY AS c(id, abi, registro, total, issued, accrual, due, documents, amounts, competencias, gru, position)
        ORDER BY c.position
        ON CONFLICT (charge_id) DO NOTHING
        """)
    static let coverHeldCharges = PostgresStatement("""
        UPDATE charges SET gru_number = c.gru FROM unnest($1::text[], $2::text[]) AS c(id, gru)
        WHERE charges.charge_id = c.id
        """)
}

extension GRURecord {
    /// Inserts newly issued GRUs (no payment, credit, CADIN, court process, replacement or
    /// parcelamento yet: those columns keep their defaults) in one statement, in order.
    static func insertIssued(_ grus: [GRURecord], on connection: PostgresConnection) throws {
        guard !grus.isEmpty else { return }
        var columns = [[String]](repeating: [], count: 16)
        for gru in grus {
            precondition(gru.paidTotal == .zero && gru.credit == .zero && !gru.inCadin && gru.courtProcess == nil
                && gru.replaces == nil && gru.replacedBy == nil && gru.parcelamentoID == nil && gru.installment == nil
                && gru.parcelledPrincipal == .zero, "insertIssued takes newly issued GRUs only")
            let values = [
                gru.number.value, gru.registroANS.value, gru.purpose.rawValue, DebtLedger.arrayInput(gru.chargeIDs),
                DebtLedger.arrayInput(gru.abis.map { String($0.value) }), String(gru.principal.centavos),
                String(gru.multa.centavos), String(gru.juros.centavos), String(gru.amount.centavos), gru.issuedOn.description,
                gru.dueDate.description, gru.accrualDate.description, gru.chargedOn.description, gru.state.rawValue,
                String(gru.openPrincipal.centavos), gru.linhaDigitavel]
            for (index, value) in values.enumerated() { columns[index].append(value) }
        }
        _ = try connection.execute(insertIssuedStatement, columns)
    }

    static let insertIssuedStatement = PostgresStatement("""
        INSERT INTO grus (gru_number, registro_ans, purpose, charge_ids, abis, principal, multa, juros, amount, issued_on,
            due_date, accrual_date, charged_on, state, open_principal, linha_digitavel)
        SELECT g.number, g.registro, g.purpose, g.charge_ids::text[], g.abis::text[], g.principal::bigint, g.multa::bigint,
            g.juros::bigint, g.amount::bigint, g.issued::date, g.due::date, g.accrual::date, g.charged::date, g.state,
            g.open_principal::bigint, g.linha
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
            WITH ORDINALITY AS g(number, registro, purpose, charge_ids, abis, principal, multa, juros, amount, issued, due,
                                 accrual, charged, state, open_principal, linha, position)
        ORDER BY g.position
        """)
}
