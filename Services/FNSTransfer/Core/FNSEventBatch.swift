import Foundation
import Models
import Postgres
import Runtime

/// The FNS service's inbox batches set-based. Notification headers, atendimento batches, releases,
/// charges and GRUs (one or two per notification, about 230,000 notifications a year) each write
/// their own table with an upsert on the event's own key, so consecutive events of those types
/// commute across types: each such segment is recorded with one multi-row upsert per type, however
/// the types interleave. Payments, GRU state changes, impugnações and releases without a
/// competência (events from before it was carried, whose competência is looked up) end the segment
/// and take the per-event path in their place. The effect is that of `handle` on each event in
/// order: per key, the upserts keep the last event's values where a repeat updates and the first
/// where it does nothing.
extension FNSEventHandler {
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        var segment = AggregateSegment()
        for event in events {
            if try segment.add(event) { continue }
            try segment.record(with: aggregates, on: context.connection)
            segment = AggregateSegment()
            try handle(event, context: context)
        }
        try segment.record(with: aggregates, on: context.connection)
    }
}

/// Consecutive events of the types the FNS service records set-based, by type, in order.
struct AggregateSegment {
    var headers: [NotificationIssued] = []
    var batches: [NotificationAtendimentos] = []
    var released: [AtendimentosChargeable] = []
    var charges: [ChargeIssued] = []
    var grus: [GRUIssued] = []

    /// Adds `event` when it belongs in a segment; false when it must be handled on its own.
    mutating func add(_ event: EventEnvelope) throws -> Bool {
        switch event.type {
        case NotificationIssued.eventType: headers.append(try event.decode(NotificationIssued.self))
        case NotificationAtendimentos.eventType: batches.append(try event.decode(NotificationAtendimentos.self))
        case AtendimentosChargeable.eventType:
            let chargeable = try event.decode(AtendimentosChargeable.self)
            // Without a competência the release reads the atendimentos recorded before it.
            guard chargeable.atendimentos.allSatisfy({ $0.competencia != nil }) else { return false }
            released.append(chargeable)
        case ChargeIssued.eventType: charges.append(try event.decode(ChargeIssued.self))
        case GRUIssued.eventType: grus.append(try event.decode(GRUIssued.self))
        default: return false
        }
        return true
    }

    /// One upsert per type present.
    func record(with aggregates: AggregateRecorder, on connection: PostgresConnection) throws {
        try aggregates.record(headers: headers, on: connection)
        try aggregates.record(batches: batches, on: connection)
        try aggregates.record(released: released, on: connection)
        try aggregates.record(charges: charges, on: connection)
        try aggregates.record(grus: grus, on: connection)
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
    static let grusOfMany = PostgresStatement("""
        INSERT INTO grus (gru_number, registro_ans, purpose, principal, open_principal, state, parcelamento_id)
        SELECT n, r, p, v, v, 'emitida', NULLIF(i, '')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]::bigint[], $5::text[]) AS g(n, r, p, v, i)
        ON CONFLICT (gru_number) DO NOTHING
        """)
}
