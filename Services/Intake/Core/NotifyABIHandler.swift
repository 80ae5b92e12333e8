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
        var budget = atendimentosPerRound
        let open = try connection.query("""
            SELECT registro_ans, available_on::text, atendimento_count, total_amount, batch_count, batches_emitted,
                   last_document, last_competencia
            FROM notifications WHERE abi = $1 AND state = 'issuing' ORDER BY registro_ans
            """, [abi.value])
        for row in open {
            guard budget > 0 else { break }
            let registro = try RegistroANS(try row.decode(String.self, at: 0))
            let batchCount = try row.decode(Int.self, at: 4)
            var emitted = try row.decode(Int.self, at: 5)
            var cursor = (try row.decode(String?.self, at: 6) ?? "", try row.decode(String?.self, at: 7) ?? "")
            if emitted == 0 {
                let issued = NotificationIssued(
                    abi: abi, registroANS: registro, availableOn: try CivilDate(parsing: try row.decode(String.self, at: 1)),
                    atendimentoCount: try row.decode(Int.self, at: 2),
                    totalToReimburse: Money(centavos: try row.decode(Int64.self, at: 3)), batchCount: batchCount)
                try context.outbox.append(issued, topic: Topics.notifications.name, source: IntakeEvents.source, time: context.now)
            }
            while emitted < batchCount, budget > 0 {
                let records = try Self.batch(abi: abi, registro: registro, after: cursor, on: connection)
                guard let last = records.last else { break }
                emitted += 1
                let event = NotificationAtendimentos(abi: abi, registroANS: registro, batch: emitted, atendimentos: records)
                try context.outbox.append(event, topic: Topics.notifications.name, source: IntakeEvents.source, time: context.now)
                cursor = (last.document.value, last.competencia.description)
                budget -= records.count
            }
            try connection.execute("""
                UPDATE notifications SET batches_emitted = $3, last_document = $4, last_competencia = $5,
                    state = CASE WHEN $3 >= batch_count THEN 'issued' ELSE 'issuing' END,
                    issued_at = CASE WHEN $3 >= batch_count THEN $6 END
                WHERE abi = $1 AND registro_ans = $2
                """, [abi.value, registro.value, emitted, cursor.0, cursor.1, context.now])
        }
        let remaining = try connection.query(
            "SELECT count(*) FROM notifications WHERE abi = $1 AND state = 'issuing'", [abi.value])
        if try remaining.first?.decode(Int.self, at: 0) ?? 0 > 0 {
            try ScheduledWork.schedule(
                kind: kind, key: "abi-\(abi.value)-round-\(payload.round + 1)", dueAt: item.dueAt,
                payload: Payload(abi: abi.value, round: payload.round + 1), on: connection)
        }
    }

    /// The next batch of a notification's atendimentos after the cursor (document, competência).
    static func batch(abi: ABINumber, registro: RegistroANS, after cursor: (String, String), on connection: PostgresConnection) throws -> [AtendimentoRecord] {
        let rows = try connection.query(selectBatch, [abi.value, registro.value, cursor.0, cursor.1, NotificationAtendimentos.maximumBatchSize])
        return try rows.map { row in
            AtendimentoRecord(
                kind: AtendimentoRecord.Kind(rawValue: try row.decode(String.self, at: 0)) ?? .aih,
                document: try SUSDocumentNumber(try row.decode(String.self, at: 1)),
                competencia: try YearMonth(parsing: try row.decode(String.self, at: 2)),
                beneficiaryCode: try row.decode(String.self, at: 3),
                birthDate: try CivilDate(parsing: try row.decode(String.self, at: 4)),
                careStart: try CivilDate(parsing: try row.decode(String.self, at: 5)),
                careEnd: try CivilDate(parsing: try row.decode(String.self, at: 6)),
                cnes: try CNES(try row.decode(String.self, at: 7)),
                procedure: try SIGTAPCode(try row.decode(String.self, at: 8)),
                quantity: try row.decode(Int.self, at: 9),
                susValue: Money(centavos: try row.decode(Int64.self, at: 10)),
                amountToReimburse: Money(centavos: try row.decode(Int64.self, at: 11)))
        }
    }

    static let selectBatch = PostgresStatement("""
        SELECT kind, document, competencia, beneficiary_code, birth_date::text, care_start::text, care_end::text,
               cnes, procedure_code, quantity, sus_value, amount
        FROM atendimentos
        WHERE abi = $1 AND registro_ans = $2 AND (document, competencia) > ($3, $4)
        ORDER BY document, competencia
        LIMIT $5
        """)

    static let createNotifications = PostgresStatement("""
        INSERT INTO notifications (abi, registro_ans, state, available_on, atendimento_count, total_amount, batch_count)
        SELECT abi, registro_ans, 'issuing', $2, count(*), sum(amount), (count(*) + $3 - 1) / $3
        FROM atendimentos WHERE abi = $1 GROUP BY abi, registro_ans
        ON CONFLICT (abi, registro_ans) DO NOTHING
        """)
}
