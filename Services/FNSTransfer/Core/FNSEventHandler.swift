import Foundation
import Models
import Postgres
import Runtime

/// Applies the events the FNS service consumes, inside the inbox transaction (a redelivered event
/// is never applied twice; every write is also idempotent on the event's own key).
public struct FNSEventHandler: EventHandler {
    let settlements: SettlementRecorder
    let aggregates = AggregateRecorder()

    public init(settings: FNSSettings = .standard) {
        settlements = SettlementRecorder(settings: settings)
    }

    public let acceptedTypes: Set<EventType> = [
        PaymentSettled.eventType, NotificationIssued.eventType, NotificationAtendimentos.eventType,
        ImpugnacaoFiled.eventType, AtendimentosChargeable.eventType, ChargeIssued.eventType,
        GRUIssued.eventType, GRUStateChanged.eventType,
    ]

    public func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        let connection = context.connection
        switch event.type {
        case PaymentSettled.eventType:
            try settlements.record(try event.decode(PaymentSettled.self), eventID: event.id, context: context)
        case NotificationIssued.eventType:
            try aggregates.record(try event.decode(NotificationIssued.self), on: connection)
        case NotificationAtendimentos.eventType:
            try aggregates.record(try event.decode(NotificationAtendimentos.self), on: connection)
        case ImpugnacaoFiled.eventType:
            try aggregates.record(try event.decode(ImpugnacaoFiled.self), on: connection)
        case AtendimentosChargeable.eventType:
            try aggregates.record(try event.decode(AtendimentosChargeable.self), on: connection)
        case ChargeIssued.eventType:
            try aggregates.record(try event.decode(ChargeIssued.self), on: connection)
        case GRUIssued.eventType:
            try aggregates.record(try event.decode(GRUIssued.self), on: connection)
        case GRUStateChanged.eventType:
            try aggregates.record(try event.decode(GRUStateChanged.self), eventID: event.id, on: connection)
        default:
            return
        }
    }
}

/// Records settled payments in their collection month and schedules the month's repasse.
struct SettlementRecorder {
    let settings: FNSSettings

    /// Records `settled` (once per payment id; a repeated id is ignored) in the month of `paidOn`
    /// (DOMAIN §8). The first settlement of a month schedules its regular repasse; one for a month
    /// already transferred schedules a complementary repasse with the next monthly run.
    func record(_ settled: PaymentSettled, eventID: UUID, context: HandlerContext) throws {
        guard settled.isConsistent else {
            throw FNSError.inconsistentSettlement(paymentID: settled.paymentID)
        }
        try record(all: [(settled, eventID)], context: context)
    }

    /// Schedules the regular repasse of `month`, whose first settlement was recorded `today`.
    func scheduleRegular(month: YearMonth, today: CivilDate, on connection: PostgresConnection) throws {
        // A month whose first settlement arrives after its repasse date goes out on the next business day.
        let due = max(settings.policy.repasseDate(for: month, calendar: settings.calendar),
                      settings.calendar.nextBusinessDay(onOrAfter: today))
        try ScheduledWork.schedule(kind: FNSWork.repasse, key: month.description, dueAt: due.startInstant,
                                   payload: MonthPayload(month: month), on: connection)
    }

    /// Schedules the complementary repasse of `month` with the next monthly run (or the one after,
    /// when today's already went out).
    func scheduleComplementary(month: YearMonth, today: CivilDate, on connection: PostgresConnection) throws {
        var run = settings.policy.nextRepasseRun(onOrAfter: today, calendar: settings.calendar)
        for _ in 0..<2 {
            let outcome = try ScheduledWork.schedule(
                kind: FNSWork.complementaryRepasse, key: "\(month)@\(run)", dueAt: run.startInstant,
                payload: MonthPayload(month: month), on: connection)
            if outcome != .alreadyFired { return }
            run = settings.calendar.lastBusinessDay(of: run.yearMonth.next)
        }
    }
}

/// The payload of the repasse items.
struct MonthPayload: Codable {
    let month: YearMonth
}

/// Errors of the FNS service's own checks.
public enum FNSError: Error, CustomStringConvertible {
    case inconsistentSettlement(paymentID: String)
    /// The topic could not be read to its end in time (consumer group named).
    case topicNotRead(topic: String)

    public var description: String {
        switch self {
        case .inconsistentSettlement(let id): "settlement \(id): principal + multa + juros differs from total"
        case .topicNotRead(let group): "could not read the topic to its end in time (group \(group))"
        }
    }
}
