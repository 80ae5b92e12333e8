import Foundation
import Models
import Postgres
import Runtime

/// Builds the read model (`rm_*` tables) from events only: operadoras (`Topics.operadoras`),
/// notifications and atendimentos (`Topics.notifications`), the administrative process
/// (`Topics.deadlines`) and charges, GRUs, payments, parcelamentos, CADIN and SELIC months
/// (`Topics.debts`).
///
/// Idempotent per event id (`rm_applied_events`) whatever consumer delivers it, so the service's
/// inbox consumer and a rebuild (``ReadModelRebuild``) can never apply an event twice.
public struct ReadModelHandler: EventHandler {
    public let acceptedTypes: Set<EventType> = [
        OperadoraRegistered.eventType, NotificationIssued.eventType, NotificationAtendimentos.eventType,
        NotificationCienciaRegistered.eventType, ImpugnacaoFiled.eventType, FilingRefused.eventType,
        RecursoFiled.eventType, DecisionMade.eventType, AtendimentosChargeable.eventType,
        ChargeIssued.eventType, GRUIssued.eventType, GRUStateChanged.eventType, PaymentRecorded.eventType,
        ParcelamentoChanged.eventType, CADINChanged.eventType, SelicRatesPublished.eventType,
    ]

    /// The topics the read model is built from.
    public static let topics = [Topics.operadoras.name, Topics.notifications.name, Topics.deadlines.name, Topics.debts.name]

    public init() {}

    public func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        try apply(event, with: Projection(connection: context.connection))
    }

    /// The same as `handle` on each event in order, with the situation refreshes of the batch run
    /// once at its end instead of after each event.
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        let refreshes = SituationRefreshes()
        let projection = Projection(connection: context.connection, deferred: refreshes)
        for event in events { try apply(event, with: projection) }
        try refreshes.run(on: context.connection)
    }

    private func apply(_ event: EventEnvelope, with projection: Projection) throws {
        let connection = projection.connection
        guard acceptedTypes.contains(event.type),
              !(try connection.query(Projection.markApplied, [event.id])).isEmpty else { return }
        switch event.type {
        case OperadoraRegistered.eventType: try projection.apply(try event.decode(OperadoraRegistered.self))
        case NotificationIssued.eventType: try projection.apply(try event.decode(NotificationIssued.self))
        case NotificationAtendimentos.eventType: try projection.apply(try event.decode(NotificationAtendimentos.self))
        case NotificationCienciaRegistered.eventType:
            try projection.apply(try event.decode(NotificationCienciaRegistered.self))
        case ImpugnacaoFiled.eventType: try projection.apply(try event.decode(ImpugnacaoFiled.self))
        case FilingRefused.eventType: try projection.apply(try event.decode(FilingRefused.self))
        case RecursoFiled.eventType: try projection.apply(try event.decode(RecursoFiled.self))
        case DecisionMade.eventType: try projection.apply(try event.decode(DecisionMade.self))
        case AtendimentosChargeable.eventType: try projection.apply(try event.decode(AtendimentosChargeable.self))
        case ChargeIssued.eventType: try projection.apply(try event.decode(ChargeIssued.self))
        case GRUIssued.eventType: try projection.apply(try event.decode(GRUIssued.self))
        case GRUStateChanged.eventType: try projection.apply(try event.decode(GRUStateChanged.self))
        case PaymentRecorded.eventType: try projection.apply(try event.decode(PaymentRecorded.self))
        case ParcelamentoChanged.eventType: try projection.apply(try event.decode(ParcelamentoChanged.self))
        case CADINChanged.eventType: try projection.apply(try event.decode(CADINChanged.self))
        case SelicRatesPublished.eventType: try projection.apply(try event.decode(SelicRatesPublished.self))
        default: return
        }
    }
}
