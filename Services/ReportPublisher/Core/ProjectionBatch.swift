import Foundation
import Models
import Postgres

/// One event of a type the read model applies set-based (``ProjectionBatch``), decoded.
enum BatchedEvent {
    case notification(NotificationIssued)
    case ciencia(NotificationCienciaRegistered)
    case atendimentos(NotificationAtendimentos)
    case chargeable(AtendimentosChargeable)
    case charge(ChargeIssued)
    case gru(GRUIssued)
    case gruState(GRUStateChanged)
    case payment(PaymentRecorded)
    case cadin(CADINChanged)

    /// The decoded event, or nil for a type applied one by one (rare: operadoras, process steps,
    /// parcelamentos, SELIC months).
    init?(_ event: EventEnvelope) throws {
        switch event.type {
        case NotificationIssued.eventType: self = .notification(try event.decode(NotificationIssued.self))
        case NotificationCienciaRegistered.eventType: self = .ciencia(try event.decode(NotificationCienciaRegistered.self))
        case NotificationAtendimentos.eventType: self = .atendimentos(try event.decode(NotificationAtendimentos.self))
        case AtendimentosChargeable.eventType: self = .chargeable(try event.decode(AtendimentosChargeable.self))
        case ChargeIssued.eventType: self = .charge(try event.decode(ChargeIssued.self))
        case GRUIssued.eventType: self = .gru(try event.decode(GRUIssued.self))
        case GRUStateChanged.eventType: self = .gruState(try event.decode(GRUStateChanged.self))
        case PaymentRecorded.eventType: self = .payment(try event.decode(PaymentRecorded.self))
        case CADINChanged.eventType: self = .cadin(try event.decode(CADINChanged.self))
        default: return nil
        }
    }

    /// The order in which a segment applies its types: every effect an event of a lower rank can
    /// have on one of a higher rank (a notification's header before its ciência, an atendimento's
    /// row before its charge links it, a charge before its GRU names it, a GRU before its state
    /// changes) follows the events' usual order.
    var rank: Int {
        switch self {
        case .notification: 0
        case .ciencia: 1
        case .atendimentos: 2
        case .chargeable: 3
        case .charge: 4
        case .gru: 5
        case .gruState: 6
        case .payment: 7
        case .cadin: 8
        }
    }
    static let ranks = 9

    /// The rows the event reads or writes: a notification's header ("n"), an atendimento's rows
    /// ("a", by registro and document, whatever the competência, as the competência lookup reads
    /// them all), a charge ("c"), a GRU with its history ("g"), a payment ("p"), a CADIN row ("k").
    /// Events with no key in common commute; the notification a batch of atendimentos ensures is
    /// written only if missing, so the batch commutes with the header and the ciência.
    var keys: [String] {
        switch self {
        case .notification(let e): ["n\(e.registroANS.value)|\(e.abi.value)"]
        case .ciencia(let e): ["n\(e.registroANS.value)|\(e.abi.value)"]
        case .atendimentos(let e): e.atendimentos.map { "a\(e.registroANS.value)|\($0.document.value)" }
        case .chargeable(let e): e.atendimentos.map { "a\(e.registroANS.value)|\($0.document.value)" }
        case .charge(let e): ["c" + e.chargeID] + e.atendimentos.map { "a\(e.registroANS.value)|\($0.document.value)" }
        case .gru(let e): ["g" + e.gruNumber.value] + e.chargeIDs.map { "c" + $0 }
        case .gruState(let e): ["g" + e.gruNumber.value]
        case .payment(let e): ["p" + e.paymentID]
        case .cadin(let e): ["k\(e.registroANS.value)|\(e.gruNumber.value)"]
        }
    }
}

/// Consecutive events of an inbox batch that may be applied grouped by type, each type with a few
/// multi-row statements, with the effect of applying them one by one in order.
///
/// An event joins the segment unless one of its keys (``BatchedEvent/keys``) was touched by an event
/// of the segment of the same or a later rank: applying it with its type's group would then move it
/// before (or merge it with) an event it followed. Such an event starts a new segment. Events with
/// disjoint keys commute, so only the order of `rm_gru_history.seq` across different GRUs may differ
/// from the one-by-one order (each GRU's own history keeps its order, which is all the reports read).
struct ProjectionSegment {
    private var groups = [[BatchedEvent]](repeating: [], count: BatchedEvent.ranks)
    private var highestRank: [String: Int] = [:]

    /// Adds `event` if it commutes with what it would overtake; false when it must start a new segment.
    mutating func add(_ event: BatchedEvent) -> Bool {
        let rank = event.rank, keys = event.keys
        if keys.contains(where: { (highestRank[$0] ?? -1) >= rank }) { return false }
        for key in keys { highestRank[key] = rank }
        groups[rank].append(event)
        return true
    }

    func apply(with projection: Projection) throws {
        var notifications: [NotificationIssued] = [], ciencias: [NotificationCienciaRegistered] = []
        var atendimentos: [NotificationAtendimentos] = [], chargeable: [AtendimentosChargeable] = []
        var charges: [ChargeIssued] = [], grus: [GRUIssued] = [], states: [GRUStateChanged] = []
        var payments: [PaymentRecorded] = [], cadin: [CADINChanged] = []
        for event in groups.joined() {
            switch event {
            case .notification(let e): notifications.append(e)
            case .ciencia(let e): ciencias.append(e)
            case .atendimentos(let e): atendimentos.append(e)
            case .chargeable(let e): chargeable.append(e)
            case .charge(let e): charges.append(e)
            case .gru(let e): grus.append(e)
            case .gruState(let e): states.append(e)
            case .payment(let e): payments.append(e)
            case .cadin(let e): cadin.append(e)
            }
        }
        try projection.apply(notifications)
        try projection.apply(ciencias)
        try projection.apply(atendimentos)
        try projection.apply(chargeable)
        try projection.apply(charges)
        try projection.apply(grus)
        try projection.apply(states)
        try projection.apply(payments)
        try projection.apply(cadin)
        try projection.linkAtendimentos(of: charges)
    }
}

/// The range of a first-round chargeable event, recorded instead of its atendimentos
/// (`rm_charge_rounds`, migration 108): every atendimento released not impugned, at its original
/// amount, charged, with its competência. The deadlines service releases a notification's
/// still-notificado atendimentos in (document, competência) order in consecutive events, so the
/// event's first and last keys bound exactly the notificado rows it released.
struct ChargeRound {
    let first: (document: String, competencia: String)
    let last: (document: String, competencia: String)

    /// Nil for an event that is not a first round (a decision's, an annulled or corrected amount,
    /// an amount 0, an event without competências).
    init?(_ e: AtendimentosChargeable) {
        var bounds: (first: (document: String, competencia: String), last: (document: String, competencia: String))?
        for a in e.atendimentos {
            guard a.outcome == .notImpugned, a.finalAmount == a.originalAmount, a.isCharged, let competencia = a.competencia
            else { return nil }
            let key = (document: a.document.value, competencia: competencia.description)
            if let (first, last) = bounds {
                bounds = (key < first ? key : first, key > last ? key : last)
            } else {
                bounds = (key, key)
            }
        }
        guard let bounds else { return nil }
        (first, last) = bounds
    }

    /// The first-round events of a batch with their rounds, leaving out those whose range meets
    /// another's in the same notification (they write each atendimento): the statement recording
    /// them sees only the rounds recorded before it. Checked between neighbours in the order of
    /// ranges: two ranges kept never meet, since the first's neighbour between them would meet it.
    static func apart(_ events: [AtendimentosChargeable]) -> [(AtendimentosChargeable, ChargeRound)] {
        let rounds = events.compactMap { e in ChargeRound(e).map { (e, $0) } }
        let ordered = rounds.indices.sorted {
            let (a, b) = (rounds[$0], rounds[$1])
            return (a.0.registroANS.value, a.0.abi.value, a.1.first.document, a.1.first.competencia)
                < (b.0.registroANS.value, b.0.abi.value, b.1.first.document, b.1.first.competencia)
        }
        var meets = Set<Int>()
        for (earlier, later) in zip(ordered, ordered.dropFirst()) {
            let (a, b) = (rounds[earlier], rounds[later])
            if a.0.registroANS == b.0.registroANS, a.0.abi == b.0.abi, b.1.first <= a.1.last { meets.formUnion([earlier, later]) }
        }
        return rounds.indices.filter { !meets.contains($0) }.map { rounds[$0] }
    }
}

/// Text columns of a multi-row statement (`unnest` of `text[]` parameters), NULL where nil.
struct TextColumns {
    private var columns: [[String?]]

    init(_ count: Int) { columns = Array(repeating: [], count: count) }

    mutating func append(_ values: String?...) {
        precondition(values.count == columns.count, "one value per column")
        for (index, value) in values.enumerated() { columns[index].append(value) }
    }

    var isEmpty: Bool { columns[0].isEmpty }
    var parameters: [any PostgresEncodable] { columns.map { PostgresValue.textArray($0) } }
}

/// The set-based form of ``Projection``'s hot events: each function has the effect of the
/// single-event `apply` on each element in order, given that no two elements share a key
/// (``ProjectionSegment`` guarantees it); an event's own repeated rows behave as in the single form.
extension Projection {
    func apply(_ events: [NotificationIssued]) throws {
        guard !events.isEmpty else { return }
        var rows = TextColumns(5)
        for e in events {
            rows.append(String(e.abi.value), e.registroANS.value, e.availableOn.description, String(e.atendimentoCount),
                        String(e.totalToReimburse.centavos))
        }
        _ = try connection.execute(Self.upsertNotifications, rows.parameters)
    }

    /// `ensureNotification` then `setCiencia` per event, as one upsert.
    func apply(_ events: [NotificationCienciaRegistered]) throws {
        guard !events.isEmpty else { return }
        var rows = TextColumns(5)
        for e in events {
            rows.append(String(e.abi.value), e.registroANS.value, e.cienciaOn.description, e.kind.rawValue,
                        e.impugnacaoWindowEnd.description)
        }
        _ = try connection.execute(Self.upsertCiencias, rows.parameters)
    }

    func apply(_ events: [NotificationAtendimentos]) throws {
        guard !events.isEmpty else { return }
        var notifications = TextColumns(2), rows = TextColumns(8)
        for e in events {
            notifications.append(String(e.abi.value), e.registroANS.value)
            for a in e.atendimentos {
                rows.append(e.registroANS.value, String(e.abi.value), a.document.value, a.kind.rawValue, a.competencia.description,
                            a.careStart.description, a.procedure.value, String(a.amountToReimburse.centavos))
            }
        }
        _ = try connection.execute(Self.ensureNotifications, notifications.parameters)
        if !rows.isEmpty { _ = try connection.execute(Self.insertAtendimentosBatch, rows.parameters) }
    }

    /// A first-round event (``ChargeRound``) is recorded as its round, one row (``insertRounds``),
    /// and its rows written later (``RoundCompaction``); the others, and a round whose range holds
    /// more notificado rows than it released, write each atendimento.
    func apply(_ events: [AtendimentosChargeable]) throws {
        var rounds = TextColumns(9)
        for (e, round) in ChargeRound.apart(events) {
            rounds.append(e.chargeID, e.registroANS.value, String(e.abi.value), round.first.document, round.first.competencia,
                          round.last.document, round.last.competencia, e.chargeableOn.description, String(e.atendimentos.count))
        }
        // Sequential scans off, as for the triggers it replaced (``ReportPublisherMigrations/indexLookups``):
        // a prepared statement's plan made while the read model's tables were small would otherwise keep
        // scanning them as they grow; its lookups are all by key.
        let recordedRounds = rounds.isEmpty ? [] : try connection.withSetting("enable_seqscan", "off") {
            try $0.query(Self.insertRounds, rounds.parameters).map { try $0.decode(String.self, at: 0) }
        }
        try RoundCompaction.schedule(recordedRounds, on: connection)
        let recorded = Set(recordedRounds)
        var rows = TextColumns(8)
        for e in events where !recorded.contains(e.chargeID) {
            let charge = e.chargeID
            for a in e.atendimentos {
                rows.append(e.registroANS.value, String(e.abi.value), e.chargeableOn.description, a.document.value,
                            a.isAnnulled ? "anulado" : "cobravel", String(a.finalAmount.centavos), a.competencia?.description ?? "",
                            a.isCharged ? charge : "")
            }
        }
        guard !rows.isEmpty else { return }
        _ = try connection.execute(Self.setChargeableBatch, rows.parameters)
    }

    /// Records the rounds (`$1` charge … `$8` chargeable date, `$9` how many atendimentos the event
    /// released) whose range holds no more notificado, unlinked rows than that (more is a sign the
    /// read model's process states disagree with the deadlines service's) and meets no recorded
    /// round (ranges never overlap: a row has one round, ``ReadModelQueries/roundOverlapping(_:)``;
    /// ``ChargeRound/apart(_:)`` keeps those of one batch apart); the other events write each
    /// atendimento instead. Returns the charges recorded. A round
    /// already recorded (an event replayed under another id) overlaps itself, so its event writes
    /// its atendimentos again, to the same effect.
    ///
    /// Each range is scanned once (`covered`): its rows are counted for the guard and, for the
    /// rounds recorded, moved in the list counts from notificado to the charge's situation
    /// (``ReportPublisherMigrations/roundSituationCounts``; migration 110). Rows arriving later are
    /// counted by the atendimentos' own triggers. It runs with sequential scans off, as the
    /// trigger it replaces did.
    static let insertRounds = PostgresStatement("""
        WITH e AS (
            SELECT DISTINCT ON (charge_id) * FROM unnest($1::text[], $2::text[], $3::text[]::integer[], $4::text[], $5::text[],
                                                         $6::text[], $7::text[], $8::text[]::date[], $9::text[]::integer[])
                AS e(charge_id, registro_ans, abi, first_document, first_competencia, last_document, last_competencia, chargeable_on,
                     released)
        ), covered AS MATERIALIZED (
            SELECT e.charge_id, e.registro_ans, e.abi, a.kind, count(*) AS count
            FROM e CROSS JOIN LATERAL (SELECT coalesce(kind, '') AS kind FROM rm_atendimentos a
                                       WHERE \(ReadModelQueries.roundRows("a", of: "e")) OFFSET 0) a
            GROUP BY 1, 2, 3, 4
        ), recorded AS (
            INSERT INTO rm_charge_rounds (charge_id, registro_ans, abi, first_document, first_competencia, last_document,
                                          last_competencia, chargeable_on)
            SELECT e.charge_id, e.registro_ans, e.abi, e.first_document, e.first_competencia, e.last_document, e.last_competencia,
                e.chargeable_on
            FROM e LEFT JOIN (SELECT charge_id, sum(count) AS notified FROM covered GROUP BY 1) g USING (charge_id)
            WHERE coalesce(g.notified, 0) <= e.released
                AND NOT EXISTS (SELECT 1 FROM (\(ReadModelQueries.roundOverlapping("e"))) p)
            ON CONFLICT (charge_id) DO NOTHING
            RETURNING charge_id
        ), m AS MATERIALIZED (
            SELECT c.* FROM covered c JOIN recorded r USING (charge_id)
        ), per_charge AS (
            \(ReportPublisherMigrations.roundChargeCounts)
        ), situations AS (
            \(ReportPublisherMigrations.roundSituationCounts)
        )
        SELECT charge_id FROM recorded
        """)

    /// The charges' rows; their atendimentos are linked by ``linkAtendimentos(of:)``.
    func apply(_ events: [ChargeIssued]) throws {
        guard !events.isEmpty else { return }
        var charges = TextColumns(7)
        for e in events {
            charges.append(e.chargeID, e.registroANS.value, String(e.abi.value), String(e.total.centavos), e.gruNumber?.value,
                           e.issuedOn.description, Self.documentList(e))
        }
        _ = try connection.execute(Self.insertCharges, charges.parameters)
    }

    /// Links each charge's atendimentos to it, where its chargeable event has not (one lookup per
    /// charge: that event links all of them in one statement, so its first atendimento tells), and
    /// has the charge's situation worked out (``SituationRefreshes``).
    func linkAtendimentos(of events: [ChargeIssued]) throws {
        var firsts = TextColumns(3)
        for e in events {
            try refresh(charge: e.chargeID)
            if let first = e.atendimentos.first { firsts.append(e.registroANS.value, first.document.value, e.chargeID) }
        }
        guard !firsts.isEmpty else { return }
        let unlinked = Set(try connection.query(Self.unlinkedCharges, firsts.parameters).map { try $0.decode(String.self, at: 0) })
        var links = TextColumns(5)
        for e in events where unlinked.contains(e.chargeID) {
            for a in e.atendimentos {
                links.append(e.registroANS.value, a.document.value, String(e.abi.value), e.chargeID, a.competencia?.description ?? "")
            }
        }
        guard !links.isEmpty else { return }
        _ = try connection.execute(Self.linkAtendimentosBatch, links.parameters)
    }

    func apply(_ events: [GRUIssued]) throws {
        guard !events.isEmpty else { return }
        var grus = TextColumns(15), history = TextColumns(8), links = TextColumns(3)
        for e in events {
            grus.append(e.gruNumber.value, e.registroANS.value, e.purpose.rawValue, e.abis.map { String($0.value) }.joined(separator: ", "),
                        String(e.principal.centavos), String(e.multa.centavos), String(e.juros.centavos), String(e.amount.centavos),
                        e.issuedOn.description, e.dueDate.description, e.accrualDate.description, e.replaces?.value,
                        e.parcelamentoID, e.installment.map(String.init), e.linhaDigitavel)
            history.append(e.gruNumber.value, e.issuedOn.description, GRUState.emitida.rawValue, String(e.principal.centavos),
                           "0", "0", e.accrualDate.description, issueReason(e))
            for charge in e.chargeIDs { links.append(e.registroANS.value, charge, e.gruNumber.value) }
        }
        _ = try connection.execute(Self.insertGRUs, grus.parameters)
        _ = try connection.execute(Self.insertHistoryBatch, history.parameters)
        if !links.isEmpty { _ = try connection.execute(Self.linkChargesBatch, links.parameters) }
        for e in events { try refresh(gru: e.gruNumber.value) }
    }

    func apply(_ events: [GRUStateChanged]) throws {
        guard !events.isEmpty else { return }
        var rows = TextColumns(12)
        for e in events {
            rows.append(e.gruNumber.value, e.registroANS.value, e.state.rawValue, String(e.openPrincipal.centavos),
                        String(e.paidTotal.centavos), String(e.credit.centavos), e.accrualDate.description, e.replacedBy?.value,
                        e.parcelamentoID, e.courtProcess, e.effectiveOn.description, e.reason)
        }
        // Only the GRUs the read model knows change (as `updateGRU`'s row count decides one by one).
        let changed = try connection.query(Self.updateGRUs, rows.parameters)
        for row in changed { try refresh(gru: try row.decode(String.self, at: 0)) }
    }

    func apply(_ events: [PaymentRecorded]) throws {
        guard !events.isEmpty else { return }
        var rows = TextColumns(6)
        for e in events {
            rows.append(e.paymentID, e.gruNumber, e.registroANS?.value, String(e.amount.centavos), e.paidOn.description,
                        e.classification.rawValue)
        }
        _ = try connection.execute(Self.insertPayments, rows.parameters)
    }

    func apply(_ events: [CADINChanged]) throws {
        guard !events.isEmpty else { return }
        var rows = TextColumns(4)
        for e in events { rows.append(e.registroANS.value, e.gruNumber.value, String(e.registered), e.effectiveOn.description) }
        _ = try connection.execute(Self.upsertCADINs, rows.parameters)
    }

    // MARK: SQL (rows in event order: `WITH ORDINALITY ... ORDER BY n`)

    static let upsertNotifications = PostgresStatement("""
        INSERT INTO rm_notifications (abi, registro_ans, available_on, atendimento_count, total_to_reimburse)
        SELECT n.abi::integer, n.registro, n.available_on::date, n.count::integer, n.total::bigint
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS n(abi, registro, available_on, count, total)
        ON CONFLICT (registro_ans, abi) DO UPDATE SET available_on = EXCLUDED.available_on,
            atendimento_count = EXCLUDED.atendimento_count, total_to_reimburse = EXCLUDED.total_to_reimburse
        """)
    static let upsertCiencias = PostgresStatement("""
        INSERT INTO rm_notifications (abi, registro_ans, ciencia_on, ciencia_kind, impugnacao_window_end)
        SELECT n.abi::integer, n.registro, n.ciencia_on::date, n.kind, n.window_end::date
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS n(abi, registro, ciencia_on, kind, window_end)
        ON CONFLICT (registro_ans, abi) DO UPDATE SET ciencia_on = EXCLUDED.ciencia_on, ciencia_kind = EXCLUDED.ciencia_kind,
            impugnacao_window_end = EXCLUDED.impugnacao_window_end
        """)
    static let ensureNotifications = PostgresStatement("""
        INSERT INTO rm_notifications (abi, registro_ans)
        SELECT n.abi::integer, n.registro FROM unnest($1::text[], $2::text[]) AS n(abi, registro)
        ON CONFLICT DO NOTHING
        """)
    static let insertAtendimentosBatch = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, kind, competencia, care_start, procedure_code, amount)
        SELECT a.registro, a.document, a.abi::integer, a.kind, a.competencia, a.care_start::date, a.procedure_code, a.amount::bigint
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS a(registro, abi, document, kind, competencia, care_start, procedure_code, amount)
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET kind = EXCLUDED.kind,
            care_start = EXCLUDED.care_start, procedure_code = EXCLUDED.procedure_code, amount = EXCLUDED.amount
        """)
    /// The chargeable state of several events' atendimentos, with the effect of `setDecision` per
    /// atendimento in order (their documents are distinct, so keeping the last of a document and
    /// competência is per event); an atendimento without competência ('' in the array: events before
    /// the field) takes the document's existing row, as `competencia(_:)` does. Charged ones are linked
    /// to their charge ('' for none; a charge once linked stays).
    static let setChargeableBatch = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, process_state, final_amount, updated_on, competencia, charge_id)
        SELECT DISTINCT ON (a.registro, a.document, k.competencia) a.registro, a.document, a.abi::integer, a.state,
            a.final_amount::bigint, a.chargeable_on::date, k.competencia, NULLIF(a.charge, '')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            WITH ORDINALITY AS a(registro, abi, chargeable_on, document, state, final_amount, competencia, charge, n)
        CROSS JOIN LATERAL (SELECT COALESCE(NULLIF(a.competencia, ''), (SELECT r.competencia FROM rm_atendimentos r
            WHERE r.registro_ans = a.registro AND r.document = a.document ORDER BY r.competencia LIMIT 1), '') AS competencia) k
        ORDER BY a.registro, a.document, k.competencia, a.n DESC
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET process_state = EXCLUDED.process_state,
            final_amount = EXCLUDED.final_amount, updated_on = EXCLUDED.updated_on,
            charge_id = COALESCE(rm_atendimentos.charge_id, EXCLUDED.charge_id)
        """)
    static let insertCharges = PostgresStatement("""
        INSERT INTO rm_charges (charge_id, registro_ans, abi, total, gru_number, issued_on, documents)
        SELECT c.id, c.registro, c.abi::integer, c.total::bigint, c.gru, c.issued_on::date, string_to_array(c.documents, ',')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS c(id, registro, abi, total, gru, issued_on, documents)
        ON CONFLICT (charge_id) DO UPDATE SET gru_number = COALESCE(EXCLUDED.gru_number, rm_charges.gru_number)
        """)
    /// The charges (`$3`) neither recorded as a chargeable round nor named by their first
    /// atendimento (`$1` registro, `$2` document).
    static let unlinkedCharges = PostgresStatement("""
        SELECT u.charge FROM unnest($1::text[], $2::text[], $3::text[]) AS u(registro, document, charge)
        WHERE NOT EXISTS (SELECT 1 FROM rm_charge_rounds r WHERE r.charge_id = u.charge)
            AND NOT EXISTS (SELECT 1 FROM rm_atendimentos a
                          WHERE a.registro_ans = u.registro AND a.document = u.document AND a.charge_id = u.charge)
        """)
    static let linkAtendimentosBatch = PostgresStatement("""
        INSERT INTO rm_atendimentos (registro_ans, document, abi, charge_id, competencia)
        SELECT t.registro, t.d, t.abi::integer, t.charge, COALESCE(NULLIF(t.c, ''), (SELECT competencia FROM rm_atendimentos
            WHERE registro_ans = t.registro AND document = t.d ORDER BY competencia LIMIT 1), '')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(registro, d, abi, charge, c)
        ON CONFLICT (registro_ans, document, competencia) DO UPDATE SET charge_id = EXCLUDED.charge_id
        """)
    static let insertGRUs = PostgresStatement("""
        INSERT INTO rm_grus (gru_number, registro_ans, purpose, abis, principal, multa, juros, amount, issued_on, due_date,
                             accrual_date, state, open_principal, replaces, parcelamento_id, installment, linha_digitavel)
        SELECT g.gru, g.registro, g.purpose, g.abis, g.principal::bigint, g.multa::bigint, g.juros::bigint, g.amount::bigint,
            g.issued_on::date, g.due_date::date, g.accrual_date::date, 'emitida', g.principal::bigint, g.replaces,
            g.parcelamento, g.installment::integer, g.linha
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
            WITH ORDINALITY AS g(gru, registro, purpose, abis, principal, multa, juros, amount, issued_on, due_date,
                                 accrual_date, replaces, parcelamento, installment, linha, n)
        ORDER BY g.n
        ON CONFLICT DO NOTHING
        """)
    static let insertHistoryBatch = PostgresStatement("""
        INSERT INTO rm_gru_history (gru_number, effective_on, state, open_principal, paid_total, credit, accrual_date, reason)
        SELECT h.gru, h.effective_on::date, h.state, h.open::bigint, h.paid::bigint, h.credit::bigint, h.accrual_date::date, h.reason
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            WITH ORDINALITY AS h(gru, effective_on, state, open, paid, credit, accrual_date, reason, n)
        ORDER BY h.n
        """)
    /// A charge issued with its GRU already names it (most do): only the others are written.
    static let linkChargesBatch = PostgresStatement("""
        UPDATE rm_charges c SET gru_number = l.gru
        FROM unnest($1::text[], $2::text[], $3::text[]) AS l(registro, charge, gru)
        WHERE c.registro_ans = l.registro AND c.charge_id = l.charge AND c.gru_number IS DISTINCT FROM l.gru
        """)
    /// `updateGRU` on each, then the history rows of the GRUs updated, in event order; returns their numbers.
    static let updateGRUs = PostgresStatement("""
        WITH s AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                WITH ORDINALITY AS s(gru, registro, state, open, paid, credit, accrual_date, replaced_by, parcelamento,
                                     court_process, effective_on, reason, n)
        ), updated AS (
            UPDATE rm_grus g SET state = s.state, open_principal = s.open::bigint, paid_total = s.paid::bigint,
                credit = s.credit::bigint, accrual_date = s.accrual_date::date,
                replaced_by = COALESCE(s.replaced_by, g.replaced_by), parcelamento_id = COALESCE(s.parcelamento, g.parcelamento_id),
                court_process = COALESCE(s.court_process, g.court_process)
            FROM s WHERE g.gru_number = s.gru AND g.registro_ans = s.registro
            RETURNING s.n
        )
        INSERT INTO rm_gru_history (gru_number, effective_on, state, open_principal, paid_total, credit, accrual_date, reason)
        SELECT s.gru, s.effective_on::date, s.state, s.open::bigint, s.paid::bigint, s.credit::bigint, s.accrual_date::date, s.reason
        FROM s JOIN updated USING (n)
        ORDER BY s.n
        RETURNING gru_number
        """)
    static let insertPayments = PostgresStatement("""
        INSERT INTO rm_payments (payment_id, gru_number, registro_ans, amount, paid_on, classification)
        SELECT p.id, p.gru, p.registro, p.amount::bigint, p.paid_on::date, p.classification
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            WITH ORDINALITY AS p(id, gru, registro, amount, paid_on, classification, n)
        ORDER BY p.n
        ON CONFLICT DO NOTHING
        """)
    static let upsertCADINs = PostgresStatement("""
        INSERT INTO rm_cadin (registro_ans, gru_number, registered, effective_on)
        SELECT k.registro, k.gru, k.registered::boolean, k.effective_on::date
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(registro, gru, registered, effective_on)
        ON CONFLICT (registro_ans, gru_number) DO UPDATE SET registered = EXCLUDED.registered, effective_on = EXCLUDED.effective_on
        """)
}
