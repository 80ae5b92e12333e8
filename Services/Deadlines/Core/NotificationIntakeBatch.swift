import Foundation
import Models
import Postgres
import Runtime

/// The notification events of one inbox batch applied with a few statements instead of four or
/// five per event (an ABI for 700 operadoras makes hundreds of small notifications): the same
/// effect as `handle` on each event in order. Headers and atendimento batches commute (a batch
/// may arrive before its header either way), so headers go first. A batch with anything else, or
/// touching a notification whose window already closed (each late batch is released on its own),
/// takes the per-event path.
extension NotificationIntakeHandler {
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        var headers: [NotificationIssued] = [], batches: [NotificationAtendimentos] = []
        for event in events {
            switch event.type {
            case NotificationIssued.eventType: headers.append(try event.decode(NotificationIssued.self))
            case NotificationAtendimentos.eventType: batches.append(try event.decode(NotificationAtendimentos.self))
            default: return try perEvent(events, context: context)
            }
        }
        if try process.anyWindowClosed(batches, on: context.connection) { return try perEvent(events, context: context) }
        try process.applyIssued(headers, context: context)
        try process.applyBatches(batches, on: context.connection)
    }

    private func perEvent(_ events: [EventEnvelope], context: HandlerContext) throws {
        for event in events { try handle(event, context: context) }
    }
}

extension DeadlineProcess {
    /// Whether a notification the batches belong to is past its impugnação window.
    func anyWindowClosed(_ batches: [NotificationAtendimentos], on connection: PostgresConnection) throws -> Bool {
        guard !batches.isEmpty else { return false }
        return try connection.query(Self.windowClosed, [
            batches.map { String($0.abi.value) }, batches.map(\.registroANS.value)])[0].decode(Bool.self, at: 0)
    }

    /// `applyIssued` for many headers: one upsert, one batch of tacit-ciência items.
    func applyIssued(_ headers: [NotificationIssued], context: HandlerContext) throws {
        var seen = Set<String>(), kept: [NotificationIssued] = []
        for header in headers where seen.insert("\(header.abi.value)/\(header.registroANS.value)").inserted {
            kept.append(header)  // a repeated header changes nothing after the first
        }
        guard !kept.isEmpty else { return }
        let updated = try context.connection.query(Self.upsertHeaders, [
            kept.map { String($0.abi.value) }, kept.map(\.registroANS.value), kept.map(\.availableOn.description),
            kept.map { String($0.atendimentoCount) }, kept.map { String($0.totalToReimburse.centavos) },
            kept.map { String($0.batchCount) }])
        var applied = Set<String>()
        for row in updated { applied.insert("\(try row.decode(Int.self, at: 0))/\(try row.decode(String.self, at: 1))") }
        var items: [ScheduledWork.Item] = []
        for header in kept where applied.contains("\(header.abi.value)/\(header.registroANS.value)") {
            let tacit = settings.calendar.ciencia(availableOn: header.availableOn)
            let payload = NotificationReference(abi: header.abi, registroANS: header.registroANS)
            items.append(ScheduledWork.Item(
                kind: DeadlineWork.tacitCiencia,
                key: DeadlineWork.notificationKey(abi: header.abi.value, registro: header.registroANS.value),
                dueAt: tacit.date.startInstant,
                payloadJSON: String(decoding: try EventJSON.encoder.encode(payload), as: UTF8.self)))
        }
        try ScheduledWork.schedule(items, on: context.connection)
    }

    /// Atendimento batches whose notifications are still open: placeholders, the batches not seen
    /// before, their atendimentos and the received counts, one statement each. Returns whether any
    /// batch was new.
    @discardableResult
    func applyBatches(_ batches: [NotificationAtendimentos], on connection: PostgresConnection) throws -> Bool {
        guard !batches.isEmpty else { return false }
        _ = try connection.execute(Self.insertPlaceholders, [
            batches.map { String($0.abi.value) }, batches.map(\.registroANS.value)])
        let inserted = try connection.query(Self.insertBatches, [
            batches.map { String($0.abi.value) }, batches.map(\.registroANS.value), batches.map { String($0.batch) }])
        var new = Set<String>()
        for row in inserted {
            new.insert("\(try row.decode(Int.self, at: 0))/\(try row.decode(String.self, at: 1))/\(try row.decode(Int.self, at: 2))")
        }
        var abis: [String] = [], registros: [String] = [], documents: [String] = [], kinds: [String] = []
        var competencias: [String] = [], amounts: [String] = []
        var received: [String: Int] = [:], order: [(String, String)] = []
        for batch in batches {
            let key = "\(batch.abi.value)/\(batch.registroANS.value)"
            // A batch seen before (or twice in this one) changes nothing.
            guard new.remove("\(key)/\(batch.batch)") != nil else { continue }
            if received[key] == nil { order.append((String(batch.abi.value), batch.registroANS.value)) }
            received[key, default: 0] += 1
            for atendimento in batch.atendimentos {
                abis.append(String(batch.abi.value)); registros.append(batch.registroANS.value)
                documents.append(atendimento.document.value); kinds.append(atendimento.kind.rawValue)
                competencias.append(atendimento.competencia.description)
                amounts.append(String(atendimento.amountToReimburse.centavos))
            }
        }
        guard !order.isEmpty else { return false }
        _ = try connection.execute(Self.insertAtendimentosOfMany, [abis, registros, documents, kinds, competencias, amounts])
        _ = try connection.execute(Self.countBatches, [
            order.map(\.0), order.map(\.1), order.map { String(received["\($0.0)/\($0.1)"] ?? 0) }])
        return true
    }

    static let windowClosed = PostgresStatement("""
        SELECT EXISTS (SELECT 1 FROM notifications n
            JOIN unnest($1::text[]::integer[], $2::text[]) AS b(abi, registro) ON n.abi = b.abi AND n.registro_ans = b.registro
            WHERE n.state = 'prazo_encerrado')
        """)

    static let upsertHeaders = PostgresStatement("""
        INSERT INTO notifications (abi, registro_ans, available_on, atendimento_count, total_to_reimburse, batch_count, state)
        SELECT a, r, d::date, c, t, b, 'aguardando_ciencia'
        FROM unnest($1::text[]::integer[], $2::text[], $3::text[], $4::text[]::integer[], $5::text[]::bigint[],
                    $6::text[]::integer[]) AS h(a, r, d, c, t, b)
        ON CONFLICT (abi, registro_ans) DO UPDATE SET
            available_on = EXCLUDED.available_on, atendimento_count = EXCLUDED.atendimento_count,
            total_to_reimburse = EXCLUDED.total_to_reimburse, batch_count = EXCLUDED.batch_count,
            state = 'aguardando_ciencia'
        WHERE notifications.available_on IS NULL
        RETURNING abi, registro_ans
        """)

    static let insertPlaceholders = PostgresStatement("""
        INSERT INTO notifications (abi, registro_ans)
        SELECT DISTINCT a, r FROM unnest($1::text[]::integer[], $2::text[]) AS p(a, r)
        ON CONFLICT DO NOTHING
        """)

    static let insertBatches = PostgresStatement("""
        INSERT INTO notification_batches (abi, registro_ans, batch)
        SELECT a, r, b FROM unnest($1::text[]::integer[], $2::text[], $3::text[]::integer[]) AS n(a, r, b)
        ON CONFLICT DO NOTHING
        RETURNING abi, registro_ans, batch
        """)

    static let insertAtendimentosOfMany = PostgresStatement("""
        INSERT INTO atendimentos (document, abi, registro_ans, kind, competencia, original_amount)
        SELECT d, a, r, k, c, v::bigint
        FROM unnest($1::text[]::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(a, r, d, k, c, v)
        ON CONFLICT (abi, registro_ans, document, competencia) DO NOTHING
        """)

    static let countBatches = PostgresStatement("""
        UPDATE notifications n SET batches_received = n.batches_received + u.k
        FROM unnest($1::text[]::integer[], $2::text[], $3::text[]::integer[]) AS u(a, r, k)
        WHERE n.abi = u.a AND n.registro_ans = u.r
        """)
}
