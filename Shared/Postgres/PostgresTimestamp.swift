import Foundation

/// Converts `timestamptz` text (ISO DateStyle, as every wrapper session uses) to and from
/// Foundation `Date`, at microsecond precision (PostgreSQL's).
enum PostgresTimestamp {
    /// "YYYY-MM-DD HH:MM:SS.ffffff+00" in UTC.
    static func append(_ date: Date, to bytes: inout [UInt8]) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (days, microOfDay) = floorDivide(micros, 86_400_000_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = Int(microOfDay / 1_000_000)
        ASCIIDigits.append(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        ASCIIDigits.append(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        ASCIIDigits.append(day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        ASCIIDigits.append(seconds / 3600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        ASCIIDigits.append(seconds / 60 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        ASCIIDigits.append(seconds % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        ASCIIDigits.append(Int(microOfDay % 1_000_000), width: 6, to: &bytes)
        bytes.append(contentsOf: "+00".utf8)
    }

    /// Parses "YYYY-MM-DD HH:MM:SS[.f{1,6}][±HH[:MM[:SS]]]"; a missing offset means UTC.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
              let date = PostgresDate(utf8: UnsafeBufferPointer(rebasing: bytes[0..<10])),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = ASCIIDigits.parse(bytes, 11..<13),
              let minute = ASCIIDigits.parse(bytes, 14..<16),
              let second = ASCIIDigits.parse(bytes, 17..<19) else { return nil }
        var index = 19
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000
            while index < bytes.count, let digit = ASCIIDigits.parse(bytes, index..<(index + 1)) {
                micros += digit * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign = bytes[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            index += 1
            var parts: [Int] = []
            while index + 2 <= bytes.count, let part = ASCIIDigits.parse(bytes, index..<(index + 2)) {
                parts.append(part)
                index += 2
                if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 } else { break }
            }
            guard index == bytes.count, !parts.isEmpty else { return nil }
            let magnitude = parts.enumerated().reduce(0) { $0 + $1.element * [3600, 60, 1][$1.offset] }
            offsetSeconds = sign == UInt8(ascii: "-") ? -magnitude : magnitude
        }
        let days = Self.days(year: date.year, month: date.month, day: date.day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
