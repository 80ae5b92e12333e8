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

    /// An atendimento batch: the batch form (`applyBatches`) with one element. A batch arriving
    /// after the window closed is then released at once, like the rest.
    func applyBatch(_ batch: NotificationAtendimentos, context: HandlerContext) throws {
        // A batch seen before changes nothing.
        guard try applyBatches([batch], on: context.connection) else { return }
        if let notification = try NotificationRecord.load(abi: batch.abi, registroANS: batch.registroANS, on: context.connection),
           notification.state == "prazo_encerrado" {
            try releaseNotImpugned(notification, chargeableOn: BusinessTimeZone.civilDate(of: context.now), context: context)
        }
    }
}

/// Identifies a notification in scheduled-work payloads.
struct NotificationReference: Codable {
    let abi: ABINumber
    let registroANS: RegistroANS
}
