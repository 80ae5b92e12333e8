import Foundation
import Models
import Postgres
import Runtime

/// The debt calculator service (DOMAIN §4-7): charges and GRUs from chargeable atendimentos,
/// payments, reissues, parcelamentos, suspensões judiciais, CADIN and dívida ativa. Emits every
/// change on `Topics.debts` (``ChargeIssued``, ``GRUIssued``, ``GRUStateChanged``,
/// ``PaymentRecorded``, ``PaymentSettled``, ``ParcelamentoChanged``, ``CADINChanged``).
///
/// - ``DebtEventHandler`` applies `AtendimentosChargeable` (from `Topics.deadlines`; the other event
///   types there are acknowledged and skipped by the inbox) and `PaymentReceived` (from
///   `Topics.upstreamPayments`).
/// - CADIN, dívida ativa and installment GRUs are durable `ScheduledWork` items under the business
///   clock (``DebtWork``); ``DebtCalculatorCore/scheduledHandlers(settings:)`` lists their handlers.
/// - Operator commands (the CLI) go through ``DebtRequests``: the CLI records a request in the debt
///   schema (and, for a bank-return file, its valid rows) and schedules a `debt.pedido` item due at
///   once; the **service** decides it with its own clock, writes the outcome, and the CLI waits
///   (bounded) for it. The CLI never decides anything that depends on the date.
/// - ``DebtPosition`` is the as-of position of an operadora (read only; the CLI may run it itself:
///   it depends only on the given date).
public enum DebtCalculatorCore {
    /// The scheduled-work handlers the service runs.
    public static func scheduledHandlers(settings: DebtSettings = .standard) -> [any ScheduledWorkHandler] {
        let ledger = DebtLedger(settings: settings)
        return [
            ScheduledWorkClosure(kind: DebtWork.cadin) { try ledger.fireCadin($0, context: $1) },
            ScheduledWorkClosure(kind: DebtWork.dividaAtiva) { try ledger.fireDividaAtiva($0, context: $1) },
            ScheduledWorkClosure(kind: DebtWork.installment) { try ledger.fireInstallment($0, context: $1) },
            ScheduledWorkClosure(kind: DebtWork.request, batch: { try ledger.fireRequests($0, context: $1) }),
        ]
    }
}

/// What the debt calculator depends on, in one place.
public struct DebtSettings: Sendable {
    /// Business calendar and the RulesPolicy values (CADIN 75 days, dívida ativa 90 days, small-debt
    /// threshold, GRU prefix, parcelamento limits, accrual from the original due date).
    public var calendar: BusinessCalendar
    /// The SELIC table for acréscimos and installment updates.
    public var selic: SelicTable
    /// Where the debt events go.
    public var outputTopic: String
    /// The CloudEvents `source` of emitted events.
    public var source: String
    /// Policy: a reissued GRU falls due this many calendar days after the reissue when the operator
    /// gives no date (rolled to a business day).
    public var reissueDueDays = 10
    /// Performance: a bank-return file's payments are matched this many at a time, each group with
    /// the set-based ``DebtLedger/applyPayments(_:context:)`` (one transaction for the whole file).
    public var paymentImportChunk = 1_000

    public init(calendar: BusinessCalendar = BusinessCalendar(), selic: SelicTable = .seed,
                outputTopic: String = Topics.debts.name, source: String = "/ressus/debt-calculator") {
        self.calendar = calendar
        self.selic = selic
        self.outputTopic = outputTopic
        self.source = source
    }

    public var policy: RulesPolicy { calendar.policy }
    public var calculator: LateChargeCalculator { LateChargeCalculator(selic: selic, policy: policy) }
    public var parcelamentoRules: ParcelamentoRules { ParcelamentoRules(calendar: calendar, selic: selic) }

    public static let standard = DebtSettings()
}

/// The kinds of scheduled work of the debt calculator (key = GRU number unless told).
public enum DebtWork {
    /// CADIN registration of an unpaid GRU, charge notification + 75 days (Lei 10.522/2002 art. 2).
    public static let cadin = "debt.cadin"
    /// Referral to dívida ativa, due date + 90 days (policy, RulesPolicy.dividaAtivaDays).
    public static let dividaAtiva = "debt.divida-ativa"
    /// A parcelamento's next installment: issue its GRU, count misses (key `parcelamento/k`).
    public static let installment = "debt.parcela"
    /// An operator request, due at once (key = request id).
    public static let request = "debt.pedido"
}

/// The ledger: every step runs synchronously inside the caller's transaction (inbox consumer or
/// scheduler) and appends its events to the same transaction's outbox.
struct DebtLedger: Sendable {
    let settings: DebtSettings
    var calendar: BusinessCalendar { settings.calendar }
    var policy: RulesPolicy { settings.policy }

    /// Appends `event` to the outbox, for `settings.outputTopic`.
    func emit<E: DomainEvent>(_ event: E, context: HandlerContext) throws {
        try context.outbox.append(event, topic: settings.outputTopic, source: settings.source, time: context.now)
    }

    /// Appends several events to the outbox in one statement, in order.
    func emit(all events: [any DomainEvent], context: HandlerContext) throws {
        let envelopes = try events.map { event in
            (envelope: try EventEnvelope.wrapping(event, source: settings.source, time: context.now), topic: settings.outputTopic)
        }
        try context.outbox.append(contentsOf: envelopes)
    }

    /// The next GRU number: the schema's sequence with the policy's issuer prefix.
    func nextGRUNumber(on connection: PostgresConnection) throws -> GRUNumber {
        let sequence = try connection.query(Self.nextSequence)[0].decode(Int64.self, at: 0)
        return try GRUNumber(prefix: policy.gruIssuerPrefix, sequence: sequence)
    }

    /// The linha digitável of a GRU for `amount` due `dueDate` (empty when out of the boleto's range).
    func linhaDigitavel(_ gru: GRUNumber, amount: Money, dueDate: CivilDate) -> String {
        (try? Boleto(gru: gru, amount: amount, dueDate: dueDate, policy: policy))?.linhaDigitavel ?? ""
    }

    static let nextSequence = PostgresStatement("SELECT nextval('gru_sequence')")
}
