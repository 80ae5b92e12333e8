import Foundation

/// A moment written in PDF date syntax (`D:YYYYMMDDHHmmSS+HH'mm'`). The caller supplies it: this
/// module never reads a clock, so the same input renders the same bytes.
public struct PDFDate: Hashable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int
    /// Offset of the local time above from UTC, in minutes (Brasília: -180).
    public var utcOffsetMinutes: Int

    public init(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
        utcOffsetMinutes: Int = 0
    ) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// The wall-clock time of `date` at the given UTC offset.
    public init(_ date: Date, utcOffsetMinutes: Int = 0) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: utcOffsetMinutes * 60) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        self.init(
            year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1,
            hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0,
            utcOffsetMinutes: utcOffsetMinutes
        )
    }

    /// PDF 1.4 §3.8.3 date string, e.g. `D:20261123143000-03'00'`.
    public var pdfString: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        let stamp = "D:\(yearText)\(two(month))\(two(day))\(two(hour))\(two(minute))\(two(second))"
        if utcOffsetMinutes == 0 { return stamp + "Z" }
        let sign = utcOffsetMinutes < 0 ? "-" : "+"
        let offset = abs(utcOffsetMinutes)
        return stamp + "\(sign)\(two(offset / 60))'\(two(offset % 60))'"
    }
}

/// The document's /Info dictionary.
public struct PDFInfo: Sendable {
    public var title: String
    public var author: String
    public var subject: String?
    public var creator: String?
    public var producer: String
    public var creationDate: PDFDate
    /// The document's natural language (catalog /Lang), for screen readers; BCP 47.
    public var language: String

    public init(
        title: String, author: String, subject: String? = nil, creator: String? = nil,
        producer: String = "ressus PDF", creationDate: PDFDate, language: String = "pt-BR"
    ) {
        self.title = title
        self.author = author
        self.subject = subject
        self.creator = creator
        self.producer = producer
        self.creationDate = creationDate
        self.language = language
    }
}
