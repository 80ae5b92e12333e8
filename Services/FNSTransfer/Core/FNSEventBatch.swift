import Foundation
import Models
import Postgres
import Runtime

/// The FNS service's inbox batches set-based. Notification headers, atendimento batches, releases,
/// charges and GRUs (one or two per notification, about 230,000 notifications a year) each write
/// their own table with an upsert on the event's own key, so consecutive events of those types
/// commute across types: each such segment is recorded with one multi-row upsert per type, however
/// the types interleave. GRU state changes and payments (two per payment) join the segment too,
/// recorded after the GRUs, except where that would move one of them across an event of the same
/// GRU it must follow (``AggregateSegment/add(_:)``): such an event starts a new segment.
/// Impugnações, releases without a competência (events from before it was carried, whose
/// competência is looked up) and inconsistent payments (refused by the per-event path) end the
/// segment and take the per-event path in their place. The effect is that of `handle` on each event
/// in order: per key, the upserts keep the last event's values where a repeat updates and the first
/// where it does nothing.
extension FNSEventHandler {
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        var segment = AggregateSegment()
        for event in events {
            switch try segment.add(event) {
            case .added:
                continue
            case .follows:
                try record(segment, context: context)
                segment = AggregateSegment()
                // An empty segment takes every event a segment can hold.
                guard try segment.add(event) == .added else { preconditionFailure("an empty segment refused \(event.type)") }
            case .alone:
                try record(segment, context: context)
                segment = AggregateSegment()
                try handle(event, context: context)
            }
        }
        try record(segment, context: context)
    }

    /// One statement per type present, in the order of ``AggregateSegment``'s types.
    func record(_ segment: AggregateSegment, context: HandlerContext) throws {
        let connection = context.connection
        try aggregates.record(headers: segment.headers, on: connection)
        try aggregates.record(batches: segment.batches, on: connection)
        try aggregates.record(released: segment.released, on: connection)
        try aggregates.record(charges: segment.charges, on: connection)
        try aggregates.record(grus: segment.grus, on: connection)
        try aggregates.record(states: segment.states, on: connection)
        try settlements.record(all: segment.payments, context: context)
    }
}

/// Consecutive events of the types the FNS service records set-based, by type, in order.
struct AggregateSegment {
    /// Whether an event joined the segment.
    enum Admission: Equatable {
        case added
        /// It must follow an event of the segment that would be recorded after it: it starts a new segment.
        case follows
        /// It takes the per-event path.
        case alone
    }

    var headers: [NotificationIssued] = []
    var batches: [NotificationAtendimentos] = []
    var released: [AtendimentosChargeable] = []
    var charges: [ChargeIssued] = []
    var grus: [GRUIssued] = []
    var states: [(event: GRUStateChanged, id: UUID)] = []
    var payments: [(event: PaymentSettled, id: UUID)] = []
    /// The GRUs of the segment's state changes and payments.
    private var changedGRUs = Set<String>(), paidGRUs = Set<String>()

    /// Adds `event` when it can be recorded with the segment's types, after everything before it.
    /// A GRU issued after a state change or payment of its GRU, or a second state change of one
    /// GRU, must follow them. A payment may pass a state change of its GRU: it reads only the
    /// GRU's purpose and parcelamento, which a state change never writes (it creates a missing
    /// GRU as a charge's, which counts as no installment, as a missing GRU does).
    mutating func add(_ event: EventEnvelope) throws -> Admission {
        switch event.type {
        case NotificationIssued.eventType: headers.append(try event.decode(NotificationIssued.self))
        case NotificationAtendimentos.eventType: batches.append(try event.decode(NotificationAtendimentos.self))
        case AtendimentosChargeable.eventType:
            let chargeable = try event.decode(AtendimentosChargeable.self)
            // Without a competência the release reads the atendimentos recorded before it.
            guard chargeable.atendimentos.allSatisfy({ $0.competencia != nil }) else { return .alone }
            released.append(chargeable)
        case ChargeIssued.eventType: charges.append(try event.decode(ChargeIssued.self))
        case GRUIssued.eventType:
            let issued = try event.decode(GRUIssued.self)
            let gru = issued.gruNumber.value
            if changedGRUs.contains(gru) || paidGRUs.contains(gru) { return .follows }
            grus.append(issued)
        case GRUStateChanged.eventType:
            let changed = try event.decode(GRUStateChanged.self)
            guard changedGRUs.insert(changed.gruNumber.value).inserted else { return .follows }
            states.append((changed, event.id))
        case PaymentSettled.eventType:
            let settled = try event.decode(PaymentSettled.self)
            guard settled.isConsistent else { return .alone }
            paidGRUs.insert(settled.gruNumber.value)
            payments.append((settled, event.id))
        default: return .alone
        }
        return .added
    }
}

extension AggregateRecorder {
    /// `record` of each header, in order: one upsert (a repeated notification keeps its last header).
    func record(headers: [NotificationIssued], on connection: PostgresConnection) throws {
        let kept = headers.lastPerKey { "\($0.abi.value)/\($0.registroANS.value)" }
        guard !kept.isEmpty else { return }
        try connection.execute(Self.notificationsOfMany, [
            kept.map { String($0.abi.value) }, kept.map(\.registroANS.value), kept.map(\.availableOn.description),
            kept.map { String($0.atendimentoCount) }, kept.map { String($0.totalToReimburse.centavos) },
        ])
    }

    /// `record` of each atendimento batch, in order: one upsert (a repeated atendimento keeps its
    /// last amount).
    func record(batches: [NotificationAtendimentos], on connection: PostgresConnection) throws {
        let kept = batches.flatMap(\.atendimentos).lastPerKey { "\($0.document.value)/\($0.competencia)" }
        guard !kept.isEmpty else { return }
        try connection.execute(Self.atendimentos, [
            kept.map(\.document.value), kept.map { String($0.amountToReimburse.centavos) }, kept.map(\.competencia.description),
        ])
    }

    /// `record` of each release, in order: one upsert (a repeated atendimento keeps its last release).
    func record(released events: [AtendimentosChargeable], on connection: PostgresConnection) throws {
        let items = events.flatMap { event in event.atendimentos.map { (item: $0, on: event.chargeableOn) } }
        let kept = items.lastPerKey { "\($0.item.document.value)/\($0.item.competencia?.description ?? "")" }
        guard !kept.isEmpty else { return }
        try connection.execute(Self.releasedOfMany, [
            kept.map(\.item.document.value), kept.map(\.item.outcome.rawValue), kept.map { String($0.item.originalAmount.centavos) },
            kept.map { String($0.item.finalAmount.centavos) }, kept.map(\.on.description),
            kept.map { $0.item.competencia?.description ?? "" },
        ])
    }

    /// `record` of each charge, in order: one insert (a repeated charge id keeps its first event).
    func record(charges: [ChargeIssued], on connection: PostgresConnection) throws {
        guard !charges.isEmpty else { return }
        try connection.execute(Self.chargesOfMany, [
            charges.map(\.chargeID), charges.map(\.registroANS.value), charges.map { String($0.abi.value) },
            charges.map(\.issuedOn.description), charges.map { String($0.atendimentos.count) },
            charges.map { String($0.total.centavos) },
        ])
    }

    /// `record` of each GRU issued, in order: one insert (a repeated GRU number keeps its first event).
    func record(grus: [GRUIssued], on connection: PostgresConnection) throws {
        guard !grus.isEmpty else { return }
        try connection.execute(Self.grusOfMany, [
            grus.map(\.gruNumber.value), grus.map(\.registroANS.value), grus.map(\.purpose.rawValue),
            grus.map { String($0.principal.centavos) }, grus.map { $0.parcelamentoID ?? "" },
        ])
    }

    /// `record` of each GRU state change (the per-event one is this with one), in order (no two of
    /// one GRU: ``AggregateSegment``), as one statement: the transitions counted with the principal
    /// open before (read in the statement's snapshot, before its own upsert), then the GRUs' states.
    func record(states: [(event: GRUStateChanged, id: UUID)], on connection: PostgresConnection) throws {
        guard !states.isEmpty else { return }
        try connection.execute(Self.stateChangesOfMany, [
            states.map(\.id.canonicalText), states.map(\.event.gruNumber.value), states.map(\.event.registroANS.value),
            states.map { String($0.event.principal.centavos) }, states.map { String($0.event.openPrincipal.centavos) },
            states.map(\.event.state.rawValue), states.map(\.event.effectiveOn.description),
            states.map { Self.countsTransition($0.event) ? "t" : "f" },
        ])
    }

    static let notificationsOfMany = PostgresStatement("""
        INSERT INTO notifications (abi, registro_ans, available_on, atendimento_count, total)
        SELECT a, r, d::date, c, t FROM unnest($1::text[]::integer[], $2::text[], $3::text[], $4::text[]::integer[],
                                               $5::text[]::bigint[]) AS h(a, r, d, c, t)
        ON CONFLICT (abi, registro_ans) DO UPDATE SET available_on = EXCLUDED.available_on,
            atendimento_count = EXCLUDED.atendimento_count, total = EXCLUDED.total
        """)
    static let releasedOfMany = PostgresStatement("""
        INSERT INTO released_atendimentos (document, outcome, original_amount, final_amount, released_on, competencia)
        SELECT d, o, a::bigint, f::bigint, r::date, \(competencia("c", of: "d"))
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(d, o, a, f, r, c)
        ON CONFLICT (document, competencia) DO UPDATE SET outcome = EXCLUDED.outcome, original_amount = EXCLUDED.original_amount,
            final_amount = EXCLUDED.final_amount, released_on = EXCLUDED.released_on
        """)
    static let chargesOfMany = PostgresStatement("""
        INSERT INTO charges (charge_id, registro_ans, abi, issued_on, atendimento_count, total)
        SELECT i, r, a, d::date, c, t FROM unnest($1::text[], $2::text[], $3::text[]::integer[], $4::text[],
                                                  $5::text[]::integer[], $6::text[]::bigint[]) AS x(i, r, a, d, c, t)
        ON CONFLICT (charge_id) DO NOTHING
        """)
    static let stateChangesOfMany = PostgresStatement("""
        WITH e AS (
            SELECT e.*, g.open_principal AS open_before
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]::bigint[], $5::text[]::bigint[], $6::text[], $7::text[]::date[],
                        $8::text[]::boolean[]) AS e(event_id, gru, registro, principal, open_after, state, effective_on, counted)
            LEFT JOIN grus g ON g.gru_number = e.gru
        ), transitions AS (
            INSERT INTO gru_transitions (event_id, gru_number, state, effective_on, amount)
            SELECT event_id::uuid, gru, state, effective_on, coalesce(open_before, greatest(open_after, 0)) FROM e WHERE counted
            ON CONFLICT (gru_number, state, effective_on) DO NOTHING
        )
        INSERT INTO grus (gru_number, registro_ans, purpose, principal, open_principal, state)
        SELECT gru, registro, 'cobranca', principal, open_after, state FROM e
        ON CONFLICT (gru_number) DO UPDATE SET open_principal = EXCLUDED.open_principal, state = EXCLUDED.state
        """)
    static let grusOfMany = PostgresStatement("""
        INSERT INTO grus (gru_number, registro_ans, purpose, principal, open_principal, state, parcelamento_id)
        SELECT n, r, p, v, v, 'emitida', NULLIF(i, '')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]::bigint[], $5::text[]) AS g(n, r, p, v, i)
        ON CONFLICT (gru_number) DO NOTHING
        """)
}
