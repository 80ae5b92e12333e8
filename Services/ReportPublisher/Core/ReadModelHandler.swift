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

    /// The same as `handle` on each event in order, set-based: the batch's event ids are marked
    /// applied in one statement (an id already applied, or repeated in the batch after its first
    /// occurrence, is skipped); consecutive events that commute are grouped into segments
    /// (``ProjectionSegment``), each applying its hot types (notification headers and ciências,
    /// atendimentos, chargeable events, charges, GRUs, GRU states, payments, CADIN) with a few
    /// multi-row statements; the rare types are applied one by one in their place; the situation
    /// refreshes run once at the end.
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        let connection = context.connection
        let refreshes = SituationRefreshes()
        let projection = Projection(connection: connection, deferred: refreshes)
        var segment = ProjectionSegment()
        for event in try Self.markApplied(events.filter { acceptedTypes.contains($0.type) }, on: connection) {
            guard let batched = try BatchedEvent(event) else {
                try segment.apply(with: projection)
                segment = ProjectionSegment()
                try project(event, with: projection)
                continue
            }
            if !segment.add(batched) {
                try segment.apply(with: projection)
                segment = ProjectionSegment()
                _ = segment.add(batched)
            }
        }
        try segment.apply(with: projection)
        try refreshes.run(on: connection)
    }

    /// The events of `events` not applied before, in order, each id once; marks them applied.
    static func markApplied(_ events: [EventEnvelope], on connection: PostgresConnection) throws -> [EventEnvelope] {
        guard !events.isEmpty else { return [] }
        let rows = try connection.query(Projection.markAllApplied, [events.map(\.id.uuidString)])
        var fresh = Set(try rows.compactMap { UUID(uuidString: try $0.decode(String.self, at: 0)) })
        return events.filter { fresh.remove($0.id) != nil }
    }

    private func apply(_ event: EventEnvelope, with projection: Projection) throws {
        guard acceptedTypes.contains(event.type),
              !(try projection.connection.query(Projection.markApplied, [event.id])).isEmpty else { return }
        try project(event, with: projection)
    }

    private func project(_ event: EventEnvelope, with projection: Projection) throws {
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
