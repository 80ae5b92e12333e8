import Foundation
import Models
import Postgres
import Runtime

/// The FNS service's inbox batches set-based: each run of consecutive notification headers,
/// atendimento batches, released atendimentos, charges or GRUs (one or two per notification, about
/// 230,000 notifications a year) is recorded with one multi-row upsert instead of one statement per
/// event; payments and GRU state changes keep their per-event path in their place. The effect is
/// that of `handle` on each event in order: the upserts keep, per key, the last event's values where
/// a repeated key updates and the first where it does nothing.
extension FNSEventHandler {
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        let connection = context.connection
        var index = events.startIndex
        while index < events.endIndex {
            let type = events[index].type
            let end = events[index...].firstIndex { $0.type != type } ?? events.endIndex
            let run = events[index..<end]
            switch type {
            case NotificationIssued.eventType:
                try aggregates.record(headers: try run.map { try $0.decode(NotificationIssued.self) }, on: connection)
            case NotificationAtendimentos.eventType:
                try aggregates.record(batches: try run.map { try $0.decode(NotificationAtendimentos.self) }, on: connection)
            case AtendimentosChargeable.eventType:
                try aggregates.record(released: try run.map { try $0.decode(AtendimentosChargeable.self) }, on: connection)
            case ChargeIssued.eventType:
                try aggregates.record(charges: try run.map { try $0.decode(ChargeIssued.self) }, on: connection)
            case GRUIssued.eventType:
                try aggregates.record(grus: try run.map { try $0.decode(GRUIssued.self) }, on: connection)
            default:
                for event in run { try handle(event, context: context) }
            }
            index = end
        }
    }
}

extension AggregateRecorder {
    /// `record` of each header, in order: one upsert (a repeated notification keeps its last header).
    func record(headers: [NotificationIssued], on connection: PostgresConnection) throws {
        let kept = Self.lastPerKey(headers) { "\($0.abi.value)/\($0.registroANS.value)" }
        guard !kept.isEmpty else { return }
        try connection.execute(Self.notificationsOfMany, [
            kept.map { String($0.abi.value) }, kept.map(\.registroANS.value), kept.map(\.availableOn.description),
            kept.map { String($0.atendimentoCount) }, kept.map { String($0.totalToReimburse.centavos) },
        ])
    }

    /// `record` of each atendimento batch, in order: one upsert (a repeated atendimento keeps its
    /// last amount).
    func record(batches: [NotificationAtendimentos], on connection: PostgresConnection) throws {
        let kept = Self.lastPerKey(batches.flatMap(\.atendimentos)) { "\($0.document.value)/\($0.competencia)" }
        guard !kept.isEmpty else { return }
        try connection.execute(Self.atendimentos, [
            kept.map(\.document.value), kept.map { String($0.amountToReimburse.centavos) }, kept.map(\.competencia.description),
        ])
    }

    /// `record` of each release, in order: one upsert (a repeated atendimento keeps its last release).
    func record(released events: [AtendimentosChargeable], on connection: PostgresConnection) throws {
        let items = events.flatMap { event in event.atendimentos.map { (item: $0, on: event.chargeableOn) } }
        let kept = Self.lastPerKey(items) { "\($0.item.document.value)/\($0.item.competencia?.description ?? "")" }
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

    /// The items with the last occurrence of each key, in the order of their first occurrence (an
    /// upsert may touch a row only once per statement).
    static func lastPerKey<Item>(_ items: [Item], key: (Item) -> String) -> [Item] {
        var position: [String: Int] = [:], kept: [Item] = []
        for item in items {
            let itemKey = key(item)
            if let index = position[itemKey] { kept[index] = item } else { position[itemKey] = kept.count; kept.append(item) }
        }
        return kept
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
