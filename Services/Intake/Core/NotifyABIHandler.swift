import Foundation
import Models
import Postgres
import Runtime

/// "Notify ABI N" (scheduled work of kind ``kind``): closes the ABI, splits it per operadora into
/// notifications (Ofício ABI) available on the current business date (the service clock's today,
/// or the next business day, DOMAIN §3), and emits per notification one ``NotificationIssued``
/// then its ``NotificationAtendimentos`` batches (≤ ``NotificationAtendimentos/maximumBatchSize``
/// each, ordered by document and competência) on ``Topics/notifications``, keyed by registro ANS.
///
/// A big ABI is emitted in rounds of about ``IntakePolicy/notificationAtendimentosPerRound``
/// atendimentos, each round its own transaction; a round schedules the next one (due at once) and
/// resumes from a cursor stored in the notification, so one operadora's events stay in order.
public struct NotifyABIHandler: ScheduledWorkHandler {
    public static let kind = "intake.notify-abi"
    public var kind: String { Self.kind }

    /// The work item's payload.
    public struct Payload: Codable, Sendable {
        public var abi: Int
        public var round: Int
        public init(abi: Int, round: Int) {
            self.abi = abi
            self.round = round
        }
    }

    public let calendar: BusinessCalendar
    public let atendimentosPerRound: Int

    public init(calendar: BusinessCalendar = BusinessCalendar(), atendimentosPerRound: Int = IntakePolicy.notificationAtendimentosPerRound) {
        self.calendar = calendar
        self.atendimentosPerRound = atendimentosPerRound
    }

    /// Schedules the first round for `abi`, due at `dueAt` (the CLI passes a past instant: it fires
    /// as soon as the service sees it, whatever its clock). Returns what scheduling did.
    @discardableResult
    public static func schedule(_ abi: ABINumber, dueAt: Date, on connection: PostgresConnection) throws -> ScheduledWork.Outcome {
        try ScheduledWork.schedule(kind: kind, key: "abi-\(abi.value)-round-1", dueAt: dueAt,
                                   payload: Payload(abi: abi.value, round: 1), on: connection)
    }

    public func fire(_ item: ScheduledItem, context: HandlerContext) throws {
        let payload = try item.payload(as: Payload.self)
        let abi = try ABINumber(payload.abi)
        let connection = context.connection
        if payload.round == 1 {
            let availableOn = calendar.nextBusinessDay(onOrAfter: BusinessTimeZone.civilDate(of: context.now))
            try connection.execute("UPDATE abis SET closed_at = coalesce(closed_at, $2) WHERE abi = $1", [abi.value, context.now])
            try connection.execute(Self.createNotifications, [abi.value, availableOn.postgres, NotificationAtendimentos.maximumBatchSize])
        }
        let plan = try Self.plan(abi: abi, budget: atendimentosPerRound, on: connection)
        let rows = try Self.atendimentos(abi: abi, for: plan, on: connection)
        var events: [(envelope: EventEnvelope, topic: String)] = []
        var progress: [(registro: String, emitted: Int, cursor: (String, String))] = []
        for notification in plan {
            var emitted = notification.emitted
            var cursor = notification.cursor
            if emitted == 0 {
                events.append((try EventEnvelope.wrapping(notification.issued(abi: abi), source: IntakeEvents.source, time: context.now),
                               Topics.notifications.name))
            }
            let records = rows[notification.registro.value] ?? []
            for start in stride(from: 0, to: records.count, by: NotificationAtendimentos.maximumBatchSize) {
                let batch = Array(records[start..<min(start + NotificationAtendimentos.maximumBatchSize, records.count)])
                emitted += 1
                let event = NotificationAtendimentos(abi: abi, registroANS: notification.registro, batch: emitted, atendimentos: batch)
                events.append((try EventEnvelope.wrapping(event, source: IntakeEvents.source, time: context.now), Topics.notifications.name))
                if let last = batch.last { cursor = (last.document.value, last.competencia.description) }
            }
            progress.append((notification.registro.value, emitted, cursor))
        }
        try context.outbox.append(contentsOf: events)
        try connection.execute(Self.recordProgress, [
            abi.value, context.now, progress.map(\.registro), progress.map { String($0.emitted) },
            progress.map(\.cursor.0), progress.map(\.cursor.1)])
        let remaining = try connection.query(
            "SELECT count(*) FROM notifications WHERE abi = $1 AND state = 'issuing'", [abi.value])
        if try remaining.first?.decode(Int.self, at: 0) ?? 0 > 0 {
            try ScheduledWork.schedule(
                kind: kind, key: "abi-\(abi.value)-round-\(payload.round + 1)", dueAt: item.dueAt,
                payload: Payload(abi: abi.value, round: payload.round + 1), on: connection)
        }
    }

    /// An open notification and how many of its atendimentos this round emits.
    struct RoundItem {
        var registro: RegistroANS
        var availableOn: CivilDate
        var atendimentoCount: Int
        var total: Money
        var batchCount: Int
        /// Batches emitted before this round (all full but possibly the notification's last).
        var emitted: Int
        /// The last emitted (document, competência).
        var cursor: (String, String)
        /// Atendimentos this round takes: whole batches, until the round's budget is spent.
        var limit: Int

        func issued(abi: ABINumber) -> NotificationIssued {
            NotificationIssued(abi: abi, registroANS: registro, availableOn: availableOn, atendimentoCount: atendimentoCount,
                               totalToReimburse: total, batchCount: batchCount)
        }
    }

    /// The open notifications of `abi` in registro ANS order, each with the atendimentos this round
    /// emits: whole batches while `budget` lasts (the notification that spends it may stay open).
    static func plan(abi: ABINumber, budget: Int, on connection: PostgresConnection) throws -> [RoundItem] {
        var budget = budget
        var plan: [RoundItem] = []
        let batchSize = NotificationAtendimentos.maximumBatchSize
        for row in try connection.query(openNotifications, [abi.value]) {
            guard budget > 0 else { break }
            let count = try row.decode(Int.self, at: 2)
            let emitted = try row.decode(Int.self, at: 5)
            let remaining = max(0, count - emitted * batchSize)
            let limit = min(remaining, (budget + batchSize - 1) / batchSize * batchSize)
            plan.append(RoundItem(
                registro: try RegistroANS(try row.decode(String.self, at: 0)),
                availableOn: try CivilDate(parsing: try row.decode(String.self, at: 1)),
                atendimentoCount: count, total: Money(centavos: try row.decode(Int64.self, at: 3)),
                batchCount: try row.decode(Int.self, at: 4), emitted: emitted,
                cursor: (try row.decode(String?.self, at: 6) ?? "", try row.decode(String?.self, at: 7) ?? ""),
                limit: limit))
            budget -= limit
        }
        return plan
    }

    /// The atendimentos each planned notification emits this round, after its cursor, ordered by
    /// document and competência: one query for the whole round.
    static func atendimentos(abi: ABINumber, for plan: [RoundItem], on connection: PostgresConnection) throws -> [String: [AtendimentoRecord]] {
        let wanted = plan.filter { $0.limit > 0 }
        guard !wanted.isEmpty else { return [:] }
        let rows = try connection.query(selectRound, [
            abi.value, wanted.map(\.registro.value), wanted.map(\.cursor.0), wanted.map(\.cursor.1), wanted.map { String($0.limit) }])
        var byRegistro: [String: [AtendimentoRecord]] = [:]
        for row in rows {
            let record = AtendimentoRecord(
                kind: AtendimentoRecord.Kind(rawValue: try row.decode(String.self, at: 1)) ?? .aih,
                document: try SUSDocumentNumber(try row.decode(String.self, at: 2)),
                competencia: try YearMonth(parsing: try row.decode(String.self, at: 3)),
                beneficiaryCode: try row.decode(String.self, at: 4),
                birthDate: try CivilDate(parsing: try row.decode(String.self, at: 5)),
                careStart: try CivilDate(parsing: try row.decode(String.self, at: 6)),
                careEnd: try CivilDate(parsing: try row.decode(String.self, at: 7)),
                cnes: try CNES(try row.decode(String.self, at: 8)),
                procedure: try SIGTAPCode(try row.decode(String.self, at: 9)),
                quantity: try row.decode(Int.self, at: 10),
                susValue: Money(centavos: try row.decode(Int64.self, at: 11)),
                amountToReimburse: Money(centavos: try row.decode(Int64.self, at: 12)))
            byRegistro[try row.decode(String.self, at: 0), default: []].append(record)
        }
        return byRegistro
    }

    static let openNotifications = PostgresStatement("""
        SELECT registro_ans, available_on::text, atendimento_count, total_amount, batch_count, batches_emitted,
               last_document, last_competencia
        FROM notifications WHERE abi = $1 AND state = 'issuing' ORDER BY registro_ans
        """)

    /// Per planned notification (registro, cursor, limit): its next atendimentos, in order.
    static let selectRound = PostgresStatement("""
        SELECT c.registro, a.kind, a.document, a.competencia, a.beneficiary_code, a.birth_date::text,
               a.care_start::text, a.care_end::text, a.cnes, a.procedure_code, a.quantity, a.sus_value, a.amount
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]::int[]) WITH ORDINALITY AS c(registro, document, competencia, lim, ord)
        CROSS JOIN LATERAL (
            SELECT * FROM atendimentos
            WHERE abi = $1 AND registro_ans = c.registro AND (document, competencia) > (c.document, c.competencia)
            ORDER BY document, competencia
            LIMIT c.lim) a
        ORDER BY c.ord, a.document, a.competencia
        """)

    static let recordProgress = PostgresStatement("""
        UPDATE notifications n SET batches_emitted = u.emitted, last_document = u.document, last_competencia = u.competencia,
            state = CASE WHEN u.emitted >= n.batch_count THEN 'issued' ELSE 'issuing' END,
            issued_at = CASE WHEN u.emitted >= n.batch_count THEN $2 END
        FROM unnest($3::text[], $4::text[]::int[], $5::text[], $6::text[]) AS u(registro, emitted, document, competencia)
        WHERE n.abi = $1 AND n.registro_ans = u.registro
        """)

    static let createNotifications = PostgresStatement("""
        INSERT INTO notifications (abi, registro_ans, state, available_on, atendimento_count, total_amount, batch_count)
        SELECT abi, registro_ans, 'issuing', $2, count(*), sum(amount), (count(*) + $3 - 1) / $3
        FROM atendimentos WHERE abi = $1 GROUP BY abi, registro_ans
        ON CONFLICT (abi, registro_ans) DO NOTHING
        """)
}
