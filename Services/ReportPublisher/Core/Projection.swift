import Foundation
import Models
import Postgres

/// The SQL of each event's effect on the read model.
struct Projection {
    let connection: PostgresConnection
    /// When set, the situation refreshes are collected here and run once at the end of a batch
    /// (``SituationRefreshes/run(on:)``): the stored situation is a function of the charges, GRUs
    /// and parcelamentos as they stand, so refreshing once after the batch gives the same rows.
    var deferred: SituationRefreshes? = nil

    func apply(_ e: OperadoraRegistered) throws {
        _ = try connection.execute(Self.upsertOperadora, [
            e.registroANS.value, e.cnpj.value, e.cnpj.root, e.razaoSocial, e.email])
    }

    func apply(_ e: NotificationIssued) throws {
        _ = try connection.execute(Self.upsertNotification, [
            e.abi.value, e.registroANS.value, e.availableOn.postgres, e.atendimentoCount, e.totalToReimburse.centavos])
    }

    func apply(_ e: NotificationAtendimentos) throws {
        _ = try connection.execute(Self.ensureNotification, [e.abi.value, e.registroANS.value])
        // One statement per batch (up to 500 atendimentos), text arrays cast in SQL.
        let a = e.atendimentos
        _ = try connection.execute(Self.insertAtendimentos, [
            e.registroANS.value, e.abi.value, a.map(\.document.value), a.map(\.kind.rawValue), a.map(\.competencia.description),
            a.map(\.careStart.description), a.map(\.procedure.value), a.map { String($0.amountToReimburse.centavos) }])
    }

    func apply(_ e: NotificationCienciaRegistered) throws {
        _ = try connection.execute(Self.ensureNotification, [e.abi.value, e.registroANS.value])
        _ = try connection.execute(Self.setCiencia, [
            e.abi.value, e.registroANS.value, e.cienciaOn.postgres, e.kind.rawValue, e.impugnacaoWindowEnd.postgres])
    }

    func apply(_ e: ImpugnacaoFiled) throws {
        try setProcessState(e.registroANS, e.abi, e.document, e.competencia, "impugnado", on: e.filedOn)
    }

    func apply(_ e: FilingRefused) throws {
        let what = e.instance == .impugnacao ? "impugnação" : "recurso"
        _ = try connection.execute(Self.setNote, [
            e.registroANS.value, e.document.value, e.abi.value,
            "\(what) recusado(a) em \(e.filedOn.brazilian): \(e.reason)", e.competencia?.description])
    }

    func apply(_ e: RecursoFiled) throws {
        try setProcessState(e.registroANS, e.abi, e.document, e.competencia, "em_recurso", on: e.filedOn)
    }

    func apply(_ e: DecisionMade) throws {
        let result: String = switch e.result {
        case .deferida: "deferido"
        case .parcialmenteDeferida: "parcialmente_deferido"
        case .indeferida: "indeferido"
        }
        let state = e.instance == .recurso ? "recurso_\(result)" : result
        _ = try connection.execute(Self.setDecision, [
            e.registroANS.value, e.document.value, e.abi.value, state, e.amount.centavos, e.decidedOn.postgres,
            e.competencia?.description])
    }

    /// The batch form on this one event (``apply(_:)-([AtendimentosChargeable])``): the atendimentos
    /// charged are linked to the charge the debt calculator issues for them, so its `ChargeIssued`
    /// finds them linked.
    func apply(_ e: AtendimentosChargeable) throws {
        try apply([e])
    }

    func apply(_ e: ChargeIssued) throws {
        _ = try connection.execute(Self.insertCharge, [
            e.chargeID, e.registroANS.value, e.abi.value, e.total.centavos, e.gruNumber?.value, e.issuedOn.postgres,
            Self.documentList(e)])
        try linkAtendimentos(of: [e])
    }

    func apply(_ e: GRUIssued) throws {
        _ = try connection.execute(Self.insertGRU, [
            e.gruNumber.value, e.registroANS.value, e.purpose.rawValue, e.abis.map { String($0.value) }.joined(separator: ", "),
            e.principal.centavos, e.multa.centavos, e.juros.centavos, e.amount.centavos, e.issuedOn.postgres,
            e.dueDate.postgres, e.accrualDate.postgres, e.replaces?.value, e.parcelamentoID, e.installment,
            e.linhaDigitavel])
        _ = try connection.execute(Self.insertHistory, [
            e.gruNumber.value, e.issuedOn.postgres, GRUState.emitida.rawValue, e.principal.centavos, Int64(0), Int64(0),
            e.accrualDate.postgres, issueReason(e)])
        if !e.chargeIDs.isEmpty {
            _ = try connection.execute(Self.linkCharges, [e.registroANS.value, e.chargeIDs, e.gruNumber.value])
        }
        // Also when a charge named this GRU before it arrived.
        try refresh(gru: e.gruNumber.value)
    }

    func issueReason(_ e: GRUIssued) -> String {
        switch e.purpose {
        case .charge: "emitida para a cobrança"
        case .reissue: "reemissão" + (e.replaces.map { " da GRU \($0.value)" } ?? "")
        case .installment: "parcela \(e.installment.map(String.init) ?? "?") do parcelamento \(e.parcelamentoID ?? "?")"
        }
    }

    func apply(_ e: GRUStateChanged) throws {
        let updated = try connection.execute(Self.updateGRU, [
            e.gruNumber.value, e.registroANS.value, e.state.rawValue, e.openPrincipal.centavos, e.paidTotal.centavos,
            e.credit.centavos, e.accrualDate.postgres, e.replacedBy?.value, e.parcelamentoID, e.courtProcess])
        guard updated > 0 else { return }
        _ = try connection.execute(Self.insertHistory, [
            e.gruNumber.value, e.effectiveOn.postgres, e.state.rawValue, e.openPrincipal.centavos, e.paidTotal.centavos,
            e.credit.centavos, e.accrualDate.postgres, e.reason])
        try refresh(gru: e.gruNumber.value)
    }

    func apply(_ e: PaymentRecorded) throws {
        _ = try connection.execute(Self.insertPayment, [
            e.paymentID, e.gruNumber, e.registroANS?.value, e.amount.centavos, e.paidOn.postgres,
            e.classification.rawValue])
    }

    func apply(_ e: ParcelamentoChanged) throws {
        _ = try connection.execute(Self.upsertParcelamento, [
            e.parcelamentoID, e.registroANS.value, e.state.rawValue, e.effectiveOn.postgres, e.consolidated.centavos,
            e.installmentCount, e.installmentBase.centavos, e.paidInstallments, e.missedInstallments,
            e.unpaidBalance.centavos])
        try refresh(parcelamento: e.parcelamentoID)
    }

    func apply(_ e: CADINChanged) throws {
        _ = try connection.execute(Self.upsertCADIN, [
            e.registroANS.value, e.gruNumber.value, e.registered, e.effectiveOn.postgres])
    }

    /// A later publication of a month (a correction, `ressus selic importar --corrigir`) replaces it:
    /// the events of one topic partition (key "selic") arrive in publication order, also on a rebuild.
    func apply(_ e: SelicRatesPublished) throws {
        for rate in e.rates {
            guard let value = rate.rate else { continue }
            _ = try connection.execute(Self.insertSelic, [rate.month.description, value.basisPoints, e.version])
        }
    }

    private func setProcessState(_ registro: RegistroANS, _ abi: ABINumber, _ document: SUSDocumentNumber,
                                 _ competencia: YearMonth?, _ state: String, on date: CivilDate) throws {
        _ = try connection.execute(Self.setProcessState, [
            registro.value, document.value, abi.value, state, date.postgres, competencia?.description])
    }

    // MARK: SQL

    /// The competência an event names for the atendimento (registro `$1`, document `$2`): the event's
    /// own (`value`), or, for events written before they carried it, the document's only row's; ''
    /// when neither is known yet (an APAC is its number and competência, DOMAIN §1).
    static func competencia(_ value: String) -> String {
        "COALESCE(\(value), (SELECT competencia FROM rm_atendimentos WHERE registro_ans = $1 AND document = $2 "
            + "ORDER BY competencia LIMIT 1), '')"
    }

    /// Marks the ids `$1` applied: returns those not applied before (once each).
    static let markAllApplied = PostgresStatement("""
        INSERT INTO rm_applied_events (event_id) SELECT unnest($1::text[])::uuid
        ON CONFLICT DO NOTHING RETURNING event_id
        """)
    /// Deletes the ids `$1` a rebuild applied and returns them. The `EXISTS` is checked once, so the
    /// usual case, nothing left by a rebuild, reads no index entry per id.
    static let forgetRebuilt = PostgresStatement("""
        DELETE FROM rm_applied_events WHERE EXISTS (SELECT 1 FROM rm_applied_events)
            AND event_id = ANY ($1::text[]::uuid[])
        RETURNING event_id
        """)
    static let upsertOperadora = PostgresStatement("""
        INSERT INTO rm_operadoras (registro_ans, cnpj, cnpj_root, razao_social, email) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (registro_ans) DO UPDATE SET cnpj = $2, cnpj_root = $3, razao_social = $4, email = $5
        """)
    static let upsertNotification = PostgresStatement("""
        INSERT INTO rm_notifications (abi, registro_ans, available_on, atendimento_count, total_to_reimburse)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (registro_ans, abi) DO UPDATE SET available_on = $3, atendimento_count = $4, total_to_reimburse = $5
        """)
    static let ensureNotification = PostgresStatement(
        "INSERT INTO rm_notifications (abi, registro_ans) VALUES ($1, $2) ON CONFLICT DO NOTHING")
    static let setCiencia = PostgresStatement("""
        UPDATE rm_notifications SET ciencia_on = $3, ciencia_kind = $4, impugnacao_window_end = $5
        WHERE abi = $1 AND registro_ans = $2
        """)
    /// The batch fills the descriptive columns; a row created earlier by a process step keeps its state.
    static let insertAtendimentos = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, kind, competencia, care_start, procedure_code, amount)
        SELECT $1, a.document, $2, a.kind, a.competencia, a.care_start::date, a.procedure_code, a.amount::bigint
        FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS a(document, kind, competencia, care_start, procedure_code, amount)
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET kind = EXCLUDED.kind,
            care_start = EXCLUDED.care_start, procedure_code = EXCLUDED.procedure_code, amount = EXCLUDED.amount
        """)
    static let setProcessState = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, process_state, updated_on, competencia)
        VALUES ($1, $2, $3, $4, $5, \(competencia("$6::text")))
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET process_state = $4, updated_on = $5
        """)
    static let setNote = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, note, competencia)
        VALUES ($1, $2, $3, $4, \(competencia("$5::text")))
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET note = $4
        """)
    static let setDecision = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, process_state, final_amount, updated_on, competencia)
        VALUES ($1, $2, $3, $4, $5, $6, \(competencia("$7::text")))
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET process_state = $4, final_amount = $5, updated_on = $6
        """)
    /// The distinct documents of a charge's atendimentos, comma-separated (`rm_charges.documents`,
    /// through `string_to_array`; a document is digits only), in the event's order.
    static func documentList(_ e: ChargeIssued) -> String {
        var seen = Set<String>()
        return e.atendimentos.map(\.document.value).filter { seen.insert($0).inserted }.joined(separator: ",")
    }
    static let insertCharge = PostgresStatement("""
        INSERT INTO rm_charges (charge_id, registro_ans, abi, total, gru_number, issued_on, documents)
        VALUES ($1, $2, $3, $4, $5, $6, string_to_array($7, ','))
        ON CONFLICT (charge_id) DO UPDATE SET gru_number = COALESCE($5, rm_charges.gru_number)
        """)
    static let linkCharges = PostgresStatement(
        "UPDATE rm_charges SET gru_number = $3 WHERE registro_ans = $1 AND charge_id = ANY($2::text[])")
    static let insertGRU = PostgresStatement("""
        INSERT INTO rm_grus (gru_number, registro_ans, purpose, abis, principal, multa, juros, amount, issued_on, due_date,
                             accrual_date, state, open_principal, replaces, parcelamento_id, installment, linha_digitavel)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'emitida', $5, $12, $13, $14, $15)
        ON CONFLICT DO NOTHING
        """)
    static let insertHistory = PostgresStatement("""
        INSERT INTO rm_gru_history (gru_number, effective_on, state, open_principal, paid_total, credit, accrual_date, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
    static let updateGRU = PostgresStatement("""
        UPDATE rm_grus SET state = $3, open_principal = $4, paid_total = $5, credit = $6, accrual_date = $7,
            replaced_by = COALESCE($8, replaced_by), parcelamento_id = COALESCE($9, parcelamento_id),
            court_process = COALESCE($10, court_process)
        WHERE gru_number = $1 AND registro_ans = $2
        """)
    static let insertPayment = PostgresStatement("""
        INSERT INTO rm_payments (payment_id, gru_number, registro_ans, amount, paid_on, classification)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
        """)
    static let upsertParcelamento = PostgresStatement("""
        INSERT INTO rm_parcelamentos (parcelamento_id, registro_ans, state, effective_on, consolidated, installment_count,
                                      installment_base, paid_installments, missed_installments, unpaid_balance)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (parcelamento_id) DO UPDATE SET state = $3, effective_on = $4, consolidated = $5,
            installment_count = $6, installment_base = $7, paid_installments = $8, missed_installments = $9,
            unpaid_balance = $10
        """)
    /// Works out the situation (``ReadModelQueries/chargeSituation``) of the charges `$3`, of the
    /// charges of the GRUs `$1` and of those of the GRUs of the parcelamentos `$2`, and records it
    /// on each charge whose recorded one differs (`rm_charges.situation`: its atendimentos take it
    /// from there, and the charges' triggers move their list counts). Every lookup is an index scan
    /// per key (`LATERAL ... OFFSET 0` keeps them so): the tables of a read model being built grow
    /// faster than their statistics, and a join planned on those picked sequential scans
    /// (report-benchmark: 5-20 ms per batch). The charges written are found by their keys too
    /// (`= ANY (ARRAY(...))`): joined to the refreshed set, the update read all of `rm_charges` by a
    /// sequential scan on every call (4 ms at 12,000 charges, growing with the table).
    static let refreshChargeSituations = PostgresStatement("""
        WITH ids AS (
            SELECT k.charge_id FROM unnest($1::text[]) AS u(gru)
                CROSS JOIN LATERAL (SELECT charge_id FROM rm_charges WHERE gru_number = u.gru OFFSET 0) k
            UNION SELECT k.charge_id FROM unnest($2::text[]) AS u(parcelamento)
                CROSS JOIN LATERAL (SELECT c.charge_id FROM rm_grus q
                                    CROSS JOIN LATERAL (SELECT charge_id FROM rm_charges WHERE gru_number = q.gru_number OFFSET 0) c
                                    WHERE q.parcelamento_id = u.parcelamento OFFSET 0) k
            UNION SELECT unnest($3::text[])
        ), s AS MATERIALIZED (
            SELECT ids.charge_id, x.situation
            FROM ids CROSS JOIN LATERAL (SELECT \(ReadModelQueries.chargeSituation) AS situation, c.situation AS recorded
                                         FROM rm_charges c
                                         LEFT JOIN rm_grus g ON g.gru_number = c.gru_number
                                         LEFT JOIN rm_parcelamentos p ON p.parcelamento_id = g.parcelamento_id
                                         WHERE c.charge_id = ids.charge_id OFFSET 0) x
            WHERE x.situation IS DISTINCT FROM x.recorded
        )
        UPDATE rm_charges c SET situation = s.situation FROM s
        WHERE c.charge_id = ANY (ARRAY(SELECT charge_id FROM s)) AND c.charge_id = s.charge_id
        """)

    /// Refreshes the situations now, or at the end of the batch when `deferred` is set.
    func refresh(gru: String? = nil, parcelamento: String? = nil, charge: String? = nil) throws {
        let refreshes = deferred ?? SituationRefreshes()
        refreshes.add(gru: gru, parcelamento: parcelamento, charge: charge)
        if deferred == nil { try refreshes.run(on: connection) }
    }
    static let upsertCADIN = PostgresStatement("""
        INSERT INTO rm_cadin (registro_ans, gru_number, registered, effective_on) VALUES ($1, $2, $3, $4)
        ON CONFLICT (registro_ans, gru_number) DO UPDATE SET registered = $3, effective_on = $4
        """)
    static let insertSelic = PostgresStatement(
        """
        INSERT INTO rm_selic_rates (month, basis_points, version) VALUES ($1, $2, $3)
        ON CONFLICT (month) DO UPDATE SET basis_points = EXCLUDED.basis_points, version = EXCLUDED.version
        """)
}

/// The situation refreshes of a batch of events, run once at its end.
final class SituationRefreshes {
    private var grus: [String] = [], parcelamentos: [String] = [], charges: [String] = []
    private var seen = Set<String>()

    func add(gru: String?, parcelamento: String?, charge: String? = nil) {
        if let gru, seen.insert("g" + gru).inserted { grus.append(gru) }
        if let parcelamento, seen.insert("p" + parcelamento).inserted { parcelamentos.append(parcelamento) }
        if let charge, seen.insert("c" + charge).inserted { charges.append(charge) }
    }

    /// One statement: the charges concerned whose situation changed are written (usually a few).
    func run(on connection: PostgresConnection) throws {
        guard !seen.isEmpty else { return }
        _ = try connection.execute(Projection.refreshChargeSituations, [grus, parcelamentos, charges])
    }
}
