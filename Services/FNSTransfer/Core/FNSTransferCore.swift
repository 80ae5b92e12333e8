import Foundation
import Models
import Postgres
import Runtime

/// The FNS transfer recorder (DOMAIN §8): settled payments per collection month, repasses to the
/// Fundo Nacional de Saúde, the demonstrativo de repasse and the Dados Gerais do Ressarcimento ao SUS.
///
/// - ``FNSEventHandler`` applies `PaymentSettled` (recorded in the month of its payment date, once
///   per payment id) and, for the Dados Gerais and the accounting export, the intake's, the
///   deadlines' and the debt calculator's events.
/// - Every collection month gets a durable `fns.repasse` item under the business clock, due at the
///   start of the repasse date (``FNSPolicy/repasseDate(for:)``); firing it transfers the month's
///   pending settlements in one batch (``Repasse``). A settlement for a month already transferred
///   schedules a complementary repasse (`fns.repasse-complementar`) with the next monthly run.
///   Each settlement belongs to at most one repasse, and a month has one regular repasse.
/// - Operator commands (`ressus fns repassar`) go through ``FNSRequests``: the CLI records a
///   request in this service's schema and schedules an `fns.pedido` item due at once; the
///   **service** decides it with its own clock (whether the month is over, the transfer date),
///   writes the outcome, and the CLI waits (bounded) for it. Read-only commands (demonstrativo,
///   Dados Gerais, conciliação, contábil) read the schema directly through ``FNSReports``.
public enum FNSTransferCore {
    /// The scheduled-work handlers the service runs.
    public static func scheduledHandlers(settings: FNSSettings = .standard) -> [any ScheduledWorkHandler] {
        let repasse = Repasse(settings: settings)
        return [
            ScheduledWorkClosure(kind: FNSWork.repasse) { try repasse.fireScheduled($0, context: $1) },
            ScheduledWorkClosure(kind: FNSWork.complementaryRepasse) { try repasse.fireComplementary($0, context: $1) },
            ScheduledWorkClosure(kind: FNSWork.request, batch: { try repasse.fireRequests($0, context: $1) }),
        ]
    }

    /// The topics the service consumes: settled payments (debts) and, for the Dados Gerais, the
    /// notifications and the deadlines.
    public static let inputTopics = [Topics.debts.name, Topics.notifications.name, Topics.deadlines.name]
}

/// The FNS policy values, in one place.
public struct FNSPolicy: Sendable, Hashable {
    /// Months after the collection month in which its repasse falls (DOMAIN §8: the demonstrativo de
    /// repasse is published by the last business day of the following month; policy: the transfer
    /// is made on that day).
    public var repasseMonthsAfterCollection = 1

    public init() {}

    public static let standard = FNSPolicy()

    /// The day the regular repasse of `month` is made: the last business day of the month after it.
    public func repasseDate(for month: YearMonth, calendar: BusinessCalendar) -> CivilDate {
        calendar.lastBusinessDay(of: month.adding(months: repasseMonthsAfterCollection))
    }

    /// The next monthly repasse run on or after `date` (complementary repasses go out with it): the
    /// last business day of `date`'s month, or of the next month once that day has passed.
    public func nextRepasseRun(onOrAfter date: CivilDate, calendar: BusinessCalendar) -> CivilDate {
        let thisMonth = calendar.lastBusinessDay(of: date.yearMonth)
        return date <= thisMonth ? thisMonth : calendar.lastBusinessDay(of: date.yearMonth.next)
    }
}

/// What the service depends on, in one place.
public struct FNSSettings: Sendable {
    public var calendar: BusinessCalendar
    public var policy: FNSPolicy
    /// Where `RepasseTransferred` goes.
    public var outputTopic: String
    /// The CloudEvents `source` of emitted events.
    public var source: String

    public init(calendar: BusinessCalendar = BusinessCalendar(), policy: FNSPolicy = .standard,
                outputTopic: String = Topics.fns.name, source: String = "/ressus/fns-transfer") {
        self.calendar = calendar
        self.policy = policy
        self.outputTopic = outputTopic
        self.source = source
    }

    public static let standard = FNSSettings()
}

/// The kinds of scheduled work of the FNS service.
public enum FNSWork {
    /// The regular repasse of a collection month (key `YYYY-MM`).
    public static let repasse = "fns.repasse"
    /// A complementary repasse of a month (key `YYYY-MM@YYYY-MM-DD`, the run date).
    public static let complementaryRepasse = "fns.repasse-complementar"
    /// An operator request, due at once (key = request id).
    public static let request = "fns.pedido"
}

extension PostgresRow {
    func month(at column: Int) throws -> YearMonth { try YearMonth(parsing: decode(String.self, at: column)) }
}
