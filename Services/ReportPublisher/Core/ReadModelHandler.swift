import Foundation
import Models
import Postgres
import Runtime
import UUIDText

/// Builds the read model (`rm_*` tables) from events only: operadoras (`Topics.operadoras`),
/// notifications and atendimentos (`Topics.notifications`), the administrative process
/// (`Topics.deadlines`) and charges, GRUs, payments, parcelamentos, CADIN and SELIC months
/// (`Topics.debts`).
///
/// Applies each event id once (``Idempotency``): by recording the ids it applies in
/// `rm_applied_events` (a rebuild, ``ReadModelRebuild``), or behind the service's inbox, which
/// already applies each id once and where recording them again cost a write per event.
public struct ReadModelHandler: EventHandler {
    /// How the handler knows an event was applied before.
    public enum Idempotency: Sendable {
        /// Records every id it applies in `rm_applied_events` and skips the ids recorded there:
        /// idempotent whatever delivers the events (a rebuild, or events applied directly).
        case recordedIDs
        /// Only behind an inbox consumer, which applies each id once: records nothing, and skips
        /// the ids a rebuild left in `rm_applied_events` (applied by it, not yet seen by the
        /// service), deleting each as it is met.
        case inbox
    }

    public let idempotency: Idempotency

    public let acceptedTypes: Set<EventType> = [
        OperadoraRegistered.eventType, NotificationIssued.eventType, NotificationAtendimentos.eventType,
        NotificationCienciaRegistered.eventType, ImpugnacaoFiled.eventType, FilingRefused.eventType,
        RecursoFiled.eventType, DecisionMade.eventType, AtendimentosChargeable.eventType,
        ChargeIssued.eventType, GRUIssued.eventType, GRUStateChanged.eventType, PaymentRecorded.eventType,
        ParcelamentoChanged.eventType, CADINChanged.eventType, SelicRatesPublished.eventType,
    ]

    /// The topics the read model is built from.
    public static let topics = [Topics.operadoras.name, Topics.notifications.name, Topics.deadlines.name, Topics.debts.name]

    public init(idempotency: Idempotency = .recordedIDs) {
        self.idempotency = idempotency
    }

    public func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        try apply(event, with: Projection(connection: context.connection))
    }

    /// The same as `handle` on each event in order, set-based: the batch's event ids are checked
    /// in one statement (``fresh(_:on:)``); consecutive events that commute are grouped into segments
    /// (``ProjectionSegment``), each applying its hot types (notification headers and ciências,
    /// atendimentos, chargeable events, charges, GRUs, GRU states, payments, CADIN) with a few
    /// multi-row statements; the rare types are applied one by one in their place; the situation
    /// refreshes run once at the end.
    public func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        let connection = context.connection
        let refreshes = SituationRefreshes()
        let projection = Projection(connection: connection, deferred: refreshes)
        var segment = ProjectionSegment()
        for event in try fresh(events.filter { acceptedTypes.contains($0.type) }, on: connection) {
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

    /// The events of `events` to apply, in order. `.recordedIDs`: those not applied before, each
    /// id once, now marked applied. `.inbox`: all but those a rebuild applied, now forgotten.
    func fresh(_ events: [EventEnvelope], on connection: PostgresConnection) throws -> [EventEnvelope] {
        guard !events.isEmpty else { return [] }
        let ids = events.map(\.id.canonicalText)
        switch idempotency {
        case .recordedIDs:
            var fresh = Set(try connection.query(Projection.markAllApplied, [ids]).map { try $0.decode(UUID.self, at: 0) })
            return events.filter { fresh.remove($0.id) != nil }
        case .inbox:
            let rebuilt = Set(try connection.query(Projection.forgetRebuilt, [ids]).map { try $0.decode(UUID.self, at: 0) })
            return rebuilt.isEmpty ? events : events.filter { !rebuilt.contains($0.id) }
        }
    }

    private func apply(_ event: EventEnvelope, with projection: Projection) throws {
        guard acceptedTypes.contains(event.type), !(try fresh([event], on: projection.connection)).isEmpty else { return }
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
