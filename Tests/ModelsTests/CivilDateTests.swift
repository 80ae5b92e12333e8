import Foundation
import Models
import Testing

@Suite("CivilDate and YearMonth")
struct CivilDateTests {
    @Test func parsesAndPrints() throws {
        let d = try CivilDate(parsing: "2025-04-30")
        #expect((d.year, d.month, d.day) == (2025, 4, 30))
        #expect(d.description == "2025-04-30")
        #expect(d.brazilian == "30/04/2025")
        #expect(try CivilDate(parsing: "30/04/2025") == d)
    }

    @Test("refuses invalid dates", arguments: ["2025-02-29", "2025-13-01", "2025-04-31", "2025-4-30", "abc", "", "2025-00-10"])
    func refuses(text: String) {
        #expect(throws: DateError.self) { try CivilDate(parsing: text) }
    }

    @Test func leapDay() throws {
        #expect(try CivilDate(parsing: "2024-02-29").adding(days: 1) == date("2024-03-01"))
        #expect(date("2000-02-28").adding(days: 1) == date("2000-02-29"))
        #expect(date("1900-02-28").adding(days: 1) == date("1900-03-01"))
    }

    @Test func arithmeticAndWeekday() {
        #expect(date("1970-01-01").dayNumber == 0)
        #expect(date("2025-04-30").days(until: date("2025-06-10")) == 41)
        #expect(date("2026-03-31").adding(days: -15) == date("2026-03-16"))
        #expect(date("2025-06-10").weekday == .tuesday)
        #expect(date("2026-02-14").weekday == .saturday)
        #expect(date("1969-12-31").weekday == .wednesday)
        #expect(date("2025-01-01") < date("2025-01-02"))
        #expect(date("2024-12-31") < date("2025-01-01"))
    }

    @Test func dayNumberRoundTripsOverCenturies() {
        var previous = CivilDate(dayNumber: -80_000)
        for n in -79_999...80_000 {
            let d = CivilDate(dayNumber: n)
            #expect(d.dayNumber == n)
            #expect(previous < d)
            previous = d
        }
    }

    @Test func codableAsISOString() throws {
        let data = try JSONEncoder().encode([date("2025-04-30")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2025-04-30"]"#)
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [date("2025-04-30")])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([CivilDate].self, from: Data(#"["2025-02-30"]"#.utf8)) }
    }

    @Test func yearMonth() throws {
        let m = try YearMonth(parsing: "2025-05")
        #expect(m.description == "2025-05")
        #expect(m.brazilian == "05/2025")
        #expect(m.next == month("2025-06"))
        #expect(month("2025-01").previous == month("2024-12"))
        #expect(month("2024-02").lastDay == date("2024-02-29"))
        #expect(YearMonth.months(from: month("2008-11"), through: month("2009-02")).count == 4)
        #expect(throws: DateError.self) { try YearMonth(parsing: "2025-13") }
        #expect(throws: DateError.self) { try YearMonth(parsing: "2025-00") }
        #expect(throws: DateError.self) { try YearMonth(year: 2025, month: 0) }
        #expect(try YearMonth(parsing: "05/2025") == m)
    }
}
