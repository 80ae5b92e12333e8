/// A calendar month, e.g. a competência or a SELIC month. Codable as `"YYYY-MM"`.
public struct YearMonth: Hashable, Comparable, Sendable {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) throws(DateError) {
        guard (1...9999).contains(year), (1...12).contains(month) else {
            throw .invalidMonth("\(year)-\(month)")
        }
        self.init(uncheckedYear: year, month: month)
    }

    @usableFromInline
    init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Months since year 0 (`year * 12 + month - 1`): consecutive months have consecutive indices.
    @inlinable
    public var index: Int { year * 12 + month - 1 }

    /// The month with the given `index`.
    public init(index: Int) {
        self.init(uncheckedYear: index / 12, month: index % 12 + 1)
    }

    /// The month `months` later (earlier when negative).
    public func adding(months: Int) -> YearMonth { YearMonth(index: index + months) }

    public var next: YearMonth {
        month == 12 ? YearMonth(uncheckedYear: year + 1, month: 1) : YearMonth(uncheckedYear: year, month: month + 1)
    }
    public var previous: YearMonth { adding(months: -1) }

    public var firstDay: CivilDate { CivilDate(uncheckedYear: year, month: month, day: 1) }
    public var lastDay: CivilDate {
        CivilDate(uncheckedYear: year, month: month, day: CivilDate.daysIn(year: year, month: month))
    }

    /// The months from `first` through `last` inclusive (empty when `last < first`).
    public static func months(from first: YearMonth, through last: YearMonth) -> [YearMonth] {
        first.index <= last.index ? (first.index...last.index).map(YearMonth.init(index:)) : []
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { lhs.index < rhs.index }
}

/// The month an atendimento belongs to (YYYY-MM).
public typealias Competencia = YearMonth

extension YearMonth: CustomStringConvertible, Codable {
    /// Parses `"YYYY-MM"` (also accepts `"MM/YYYY"`).
    public init(parsing text: String) throws(DateError) {
        if let ym = ASCIIFastPath.numbers(in: text, pattern: "9999-99"), (1...12).contains(ym[1]), ym[0] >= 1 {
            self.init(uncheckedYear: ym[0], month: ym[1])
            return
        }
        let trimmed = text.trimmingWhitespace()
        let iso = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        let br = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        let parts: [Substring]
        if iso.count == 2, iso[0].count == 4, iso[1].count == 2 {
            parts = iso
        } else if br.count == 2, br[0].count == 2, br[1].count == 4 {
            parts = [br[1], br[0]]
        } else {
            throw .invalidMonth(text)
        }
        guard parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), y >= 1
        else { throw .invalidMonth(text) }
        self.init(uncheckedYear: y, month: m)
    }

    /// `"YYYY-MM"`.
    public var description: String { "\(CivilDate.pad(year, 4))-\(CivilDate.pad(month, 2))" }

    /// `"MM/YYYY"`, for operators.
    public var brazilian: String { "\(CivilDate.pad(month, 2))/\(CivilDate.pad(year, 4))" }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
