import Foundation
import Kafka
import Models
import Postgres
import Runtime

/// The Deadlines service (DOMAIN §3-4): follows each notification (Ofício ABI) from ciência through
/// the impugnação window, decisions and recursos, and releases its atendimentos for charging
/// (`AtendimentosChargeable` on `Topics.deadlines`).
///
/// - ``NotificationIntakeHandler`` applies `NotificationIssued` / `NotificationAtendimentos` from
///   `Topics.notifications` (batches in any order, also before their header).
/// - Every deadline is a durable `ScheduledWork` item under the business clock (``DeadlineWork``):
///   tacit ciência, end of the impugnação window, tacit ciência of a decision, end of the recurso
///   window. ``DeadlinesCore/scheduledHandlers(settings:)`` lists their handlers.
/// - Operator commands (the CLI) go through ``OperatorRequests``: the CLI records a request in the
///   deadlines schema and schedules a `deadlines.pedido` item due at once; the **service** decides it
///   with its own clock (lateness, "today"), writes the outcome to the request, and the CLI waits
///   (bounded) for that outcome and prints it. The CLI never decides anything that depends on the date.
/// - Ciência of a decision is explicit (`ressus ciencia registrar --decisao DOC --data D`) or tacit
///   10 days after the decision was made available (the same rule as notifications, RN 377/2015).
public enum DeadlinesCore {
    /// The scheduled-work handlers the service runs (deadlines and operator requests).
    public static func scheduledHandlers(settings: DeadlinesSettings = .standard) -> [any ScheduledWorkHandler] {
        let process = DeadlineProcess(settings: settings)
        return [
            ScheduledWorkClosure(kind: DeadlineWork.tacitCiencia, { try process.fireTacitCiencia($0, context: $1) },
                                 batch: { try process.fireTacitCiencias($0, context: $1) }),
            ScheduledWorkClosure(kind: DeadlineWork.impugnacaoWindowClose, { try process.fireImpugnacaoWindowClose($0, context: $1) },
                                 batch: { try process.fireImpugnacaoWindowCloses($0, context: $1) }),
            ScheduledWorkClosure(kind: DeadlineWork.decisionTacitCiencia) { try process.fireDecisionTacitCiencia($0, context: $1) },
            ScheduledWorkClosure(kind: DeadlineWork.recursoWindowClose) { try process.fireRecursoWindowClose($0, context: $1) },
            ScheduledWorkClosure(kind: DeadlineWork.request, { try process.fireRequests([$0], context: $1) },
                                 batch: { try process.fireRequestsInRuns($0, context: $1) }),
        ]
    }
}

/// What the deadlines process depends on, in one place.
public struct DeadlinesSettings: Sendable {
    /// The domain calendar with its deadline rules (business days, RulesPolicy values).
    public var calendar: BusinessCalendar
    /// Where the process events and `AtendimentosChargeable` go.
    public var outputTopic: String
    /// The CloudEvents `source` of emitted events.
    public var source: String
    /// Policy: atendimentos per `AtendimentosChargeable` event at most (keeps messages small, like
    /// `NotificationAtendimentos.maximumBatchSize`).
    public var releaseBatchSize: Int

    public init(calendar: BusinessCalendar = BusinessCalendar(), outputTopic: String = Topics.deadlines.name,
                source: String = "/ressus/deadlines", releaseBatchSize: Int = 500) {
        precondition(releaseBatchSize > 0, "release batch size must be positive")
        self.calendar = calendar
        self.outputTopic = outputTopic
        self.source = source
        self.releaseBatchSize = releaseBatchSize
    }

    public static let standard = DeadlinesSettings()
}

/// The kinds of scheduled work of the deadlines service.
public enum DeadlineWork {
    /// Tacit ciência of a notification, at the start of available-on + 10 days (key `abi/registro`).
    public static let tacitCiencia = "deadlines.ciencia-tacita"
    /// End of the impugnação window: at the start of the day after its last day (key `abi/registro`).
    public static let impugnacaoWindowClose = "deadlines.fim-prazo-impugnacao"
    /// Tacit ciência of a decision, decided-on + 10 days (key `abi/registro/document/competência/instance`).
    public static let decisionTacitCiencia = "deadlines.ciencia-tacita-decisao"
    /// End of the recurso window: the day after its last day (key `abi/registro/document/competência`).
    public static let recursoWindowClose = "deadlines.fim-prazo-recurso"
    /// An operator request, due at once (key = request id).
    public static let request = "deadlines.pedido"

    static func notificationKey(abi: Int, registro: String) -> String { "\(abi)/\(registro)" }
}
