/// A calendar date (year, month, day) with no time of day and no time zone: the only kind of date
/// the rules use (due dates, ciência, payment dates). Codable as `"YYYY-MM-DD"`.
public struct CivilDate: Hashable, Comparable, Sendable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A validated date; throws when the month or day does not exist.
    public init(year: Int, month: Int, day: Int) throws(DateError) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(year: year, month: month)).contains(day)
        else { throw .nonexistent(year: year, month: month, day: day) }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Trusted components (callers guarantee a valid date).
    init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `dayNumber` days after 1970-01-01 (negative before).
    public init(dayNumber: Int) {
        // H. Hinnant, "chrono-compatible low-level date algorithms", civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(uncheckedYear: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Days since 1970-01-01.
    @inlinable
    public var dayNumber: Int {
        // H. Hinnant, days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` calendar days later (earlier when negative).
    public func adding(days: Int) -> CivilDate {
        CivilDate(dayNumber: dayNumber + days)
    }

    /// Calendar days from `self` to `other` (positive when `other` is later).
    @inlinable
    public func days(until other: CivilDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// The competência/month this date falls in.
    @inlinable
    public var yearMonth: YearMonth {
        YearMonth(uncheckedYear: year, month: month)
    }

    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((dayNumber % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday(rawValue: index + 1)!
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension CivilDate: CustomStringConvertible, Codable {
    /// Parses `"YYYY-MM-DD"` (ISO) or `"DD/MM/YYYY"` (Brazilian).
    public init(parsing text: String) throws(DateError) {
        if let ymd = ASCIIFastPath.numbers(in: text, pattern: "9999-99-99") {
            try self.init(year: ymd[0], month: ymd[1], day: ymd[2])
            return
        }
        let trimmed = text.trimmingWhitespace()
        let iso = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        let br = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        let parts: [Substring]
        if iso.count == 3, iso[0].count == 4, iso[1].count == 2, iso[2].count == 2 {
            parts = iso
        } else if br.count == 3, br[0].count == 2, br[1].count == 2, br[2].count == 4 {
            parts = [br[2], br[1], br[0]]
        } else {
            throw .malformed(text)
        }
        guard parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { throw .malformed(text) }
        try self.init(year: y, month: m, day: d)
    }

    /// `"YYYY-MM-DD"`.
    public var description: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// `"DD/MM/YYYY"`, for operators.
    public var brazilian: String {
        "\(Self.pad(day, 2))/\(Self.pad(month, 2))/\(Self.pad(year, 4))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Days of the week, ISO numbering (Monday = 1).
public enum Weekday: Int, Sendable, CaseIterable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public var isWeekend: Bool { self == .saturday || self == .sunday }

    /// Portuguese name, e.g. "sábado".
    public var nome: String {
        switch self {
        case .monday: "segunda-feira"
        case .tuesday: "terça-feira"
        case .wednesday: "quarta-feira"
        case .thursday: "quinta-feira"
        case .friday: "sexta-feira"
        case .saturday: "sábado"
        case .sunday: "domingo"
        }
    }
}

/// Why a text or set of components is not a date or month.
public enum DateError: DomainError, Equatable {
    case malformed(String)
    case nonexistent(year: Int, month: Int, day: Int)
    case invalidMonth(String)

    public var description: String {
        switch self {
        case .malformed(let t): "'\(t)' is not a date (expected YYYY-MM-DD)"
        case .nonexistent(let y, let m, let d): "\(y)-\(m)-\(d) is not a valid date"
        case .invalidMonth(let t): "'\(t)' is not a month (expected YYYY-MM with month 01-12)"
        }
    }

    public var descricao: String {
        switch self {
        case .malformed(let t): "'\(t)' não é uma data válida (use AAAA-MM-DD)"
        case .nonexistent(let y, let m, let d): "a data \(d)/\(m)/\(y) não existe"
        case .invalidMonth(let t): "'\(t)' não é uma competência válida (use AAAA-MM, mês de 01 a 12)"
        }
    }
}
