import Foundation
import Models
import Postgres
import Runtime

/// Applies the intake's notification events (`Topics.notifications`): creates the notification and
/// its atendimentos. Batches may arrive in any number and order, also before the header; the
/// notification is complete once `batchCount` distinct batches arrived. The header schedules the tacit
/// ciência (available-on + 10 days, RN 377/2015). Also registers the ciência operadoras give in the
/// portal (`Topics.portalRequests`), like an explicit ciência from the operator CLI.
public struct NotificationIntakeHandler: EventHandler {
    /// The topics this handler reads.
    public static let topics = [Topics.notifications.name, Topics.portalRequests.name]
    public let acceptedTypes: Set<EventType> = [
        NotificationIssued.eventType, NotificationAtendimentos.eventType, PortalCienciaRequested.eventType,
    ]
    let process: DeadlineProcess

    public init(settings: DeadlinesSettings = .standard) {
        process = DeadlineProcess(settings: settings)
    }

    public func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        switch event.type {
        case NotificationIssued.eventType:
            try process.applyIssued(try event.decode(NotificationIssued.self), context: context)
        case NotificationAtendimentos.eventType:
            try process.applyBatch(try event.decode(NotificationAtendimentos.self), context: context)
        case PortalCienciaRequested.eventType:
            let request = try event.decode(PortalCienciaRequested.self)
            // Refusals (e.g. tacit ciência already reached) change nothing; accepted ones publish
            // NotificationCienciaRegistered, which the portal shows.
            _ = try process.registerCiencia(
                abi: request.abi, registroANS: request.registroANS, date: request.requestedOn,
                today: BusinessTimeZone.civilDate(of: context.now), context: context)
        default:
            return
        }
    }
}

extension DeadlineProcess {
    /// A header: the batch form (`applyIssued(_:[NotificationIssued], ...)`) with one element.
    func applyIssued(_ issued: NotificationIssued, context: HandlerContext) throws {
        try applyIssued([issued], context: context)
    }

    func applyBatch(_ batch: NotificationAtendimentos, context: HandlerContext) throws {
        let connection = context.connection
        let abi = batch.abi.value, registro = batch.registroANS.value
        _ = try connection.execute(Self.insertPlaceholder, [abi, registro])
        // A batch seen before changes nothing.
        guard try connection.execute(Self.insertBatch, [abi, registro, batch.batch]) == 1 else { return }
        let atendimentos = batch.atendimentos
        _ = try connection.execute(Self.insertAtendimentos, [
            abi, registro, atendimentos.map(\.document.value), atendimentos.map(\.kind.rawValue),
            atendimentos.map(\.competencia.description), atendimentos.map { String($0.amountToReimburse.centavos) }])
        let state = try connection.query(Self.countBatch, [abi, registro])[0].decode(String.self, at: 0)
        // A batch arriving after the window closed is released at once, like the rest.
        if state == "prazo_encerrado",
           let notification = try NotificationRecord.load(abi: batch.abi, registroANS: batch.registroANS, on: connection) {
            try releaseNotImpugned(notification, chargeableOn: BusinessTimeZone.civilDate(of: context.now), context: context)
        }
    }

    static let insertPlaceholder = PostgresStatement(
        "INSERT INTO notifications (abi, registro_ans) VALUES ($1, $2) ON CONFLICT DO NOTHING")

    static let insertBatch = PostgresStatement(
        "INSERT INTO notification_batches (abi, registro_ans, batch) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")

    static let insertAtendimentos = PostgresStatement("""
        INSERT INTO atendimentos (document, abi, registro_ans, kind, competencia, original_amount)
        SELECT d, $1, $2, k, c, a::bigint FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(d, k, c, a)
        ON CONFLICT (abi, registro_ans, document, competencia) DO NOTHING
        """)

    static let countBatch = PostgresStatement("""
        UPDATE notifications SET batches_received = batches_received + 1
        WHERE abi = $1 AND registro_ans = $2 RETURNING state
        """)
}

/// Identifies a notification in scheduled-work payloads.
struct NotificationReference: Codable {
    let abi: ABINumber
    let registroANS: RegistroANS
}
