/// A day configured as closed at ANS, with the reason shown to operators.
public struct ClosedDay: Hashable, Sendable, Codable {
    public let date: CivilDate
    public let reason: String

    public init(date: CivilDate, reason: String) {
        self.date = date
        self.reason = reason
    }
}

/// Why a day is not a business day.
public enum Closure: Hashable, Sendable {
    case weekend(Weekday)
    /// A national holiday (law), with its Portuguese name.
    case nationalHoliday(String)
    /// A closed day by project policy (Carnaval, Corpus Christi), with its Portuguese name.
    case policyClosedDay(String)
    /// A configured closed day, with its reason.
    case configured(String)

    /// Portuguese description, e.g. "feriado nacional (Tiradentes)".
    public var descricao: String {
        switch self {
        case .weekend(let day): day.nome
        case .nationalHoliday(let name): "feriado nacional (\(name))"
        case .policyClosedDay(let name): "ponto facultativo na ANS (\(name))"
        case .configured(let reason): "dia sem expediente na ANS (\(reason))"
        }
    }
}

/// Business days at ANS: Monday to Friday, not a national holiday, not an ANS closed day (DOMAIN §3).
public struct BusinessCalendar: Sendable {
    public let policy: RulesPolicy
    private let extraClosedDays: [CivilDate: String]

    /// - Parameter extraClosedDays: further closed days (e.g. decreed ponto facultativo), each with a reason.
    public init(extraClosedDays: [ClosedDay] = [], policy: RulesPolicy = .standard) {
        self.policy = policy
        var days: [CivilDate: String] = [:]
        for closed in extraClosedDays { days[closed.date] = closed.reason }
        self.extraClosedDays = days
    }

    /// The reason `date` is not a business day, or nil when it is one.
    public func closure(on date: CivilDate) -> Closure? {
        let weekday = date.weekday
        if weekday.isWeekend { return .weekend(weekday) }
        if let name = nationalHoliday(on: date) { return .nationalHoliday(name) }
        if let name = policyClosedDay(on: date) { return .policyClosedDay(name) }
        if let reason = extraClosedDays[date] { return .configured(reason) }
        return nil
    }

    public func isBusinessDay(_ date: CivilDate) -> Bool {
        closure(on: date) == nil
    }

    /// `date` itself when it is a business day, otherwise the first business day after it.
    public func nextBusinessDay(onOrAfter date: CivilDate) -> CivilDate {
        var candidate = date
        while !isBusinessDay(candidate) { candidate = candidate.adding(days: 1) }
        return candidate
    }

    /// The last business day of `month`.
    public func lastBusinessDay(of month: YearMonth) -> CivilDate {
        var candidate = month.lastDay
        while !isBusinessDay(candidate) { candidate = candidate.adding(days: -1) }
        return candidate
    }

    /// The national holiday on `date` (Lei 662/1949, Lei 6.802/1980, Lei 10.607/2002,
    /// Lei 14.759/2023; Good Friday by Lei 9.093/1995), or nil.
    public func nationalHoliday(on date: CivilDate) -> String? {
        switch (date.month, date.day) {
        case (1, 1): return "Confraternização Universal"
        case (4, 21): return "Tiradentes"
        case (5, 1): return "Dia do Trabalho"
        case (9, 7): return "Independência do Brasil"
        case (10, 12): return "Nossa Senhora Aparecida"
        case (11, 2): return "Finados"
        case (11, 15): return "Proclamação da República"
        case (11, 20) where date.year >= policy.blackConsciousnessDayFirstYear:
            return "Dia Nacional de Zumbi e da Consciência Negra"
        case (12, 25): return "Natal"
        default: break
        }
        if date == Easter.sunday(year: date.year).adding(days: -2) { return "Sexta-feira Santa" }
        return nil
    }

    /// The policy closed day on `date` (Carnaval Monday/Tuesday, Corpus Christi), or nil.
    public func policyClosedDay(on date: CivilDate) -> String? {
        guard (2...6).contains(date.month) else { return nil }
        let offset = Easter.sunday(year: date.year).days(until: date)
        switch offset {
        case -48 where policy.carnavalClosed: return "segunda-feira de Carnaval"
        case -47 where policy.carnavalClosed: return "terça-feira de Carnaval"
        case 60 where policy.corpusChristiClosed: return "Corpus Christi"
        default: return nil
        }
    }
}

/// Easter Sunday (Gregorian calendar).
public enum Easter {
    /// Easter Sunday of `year` (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
    public static func sunday(year: Int) -> CivilDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(uncheckedYear: year, month: month, day: day)
    }
}
