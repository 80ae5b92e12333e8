import Foundation
@testable import Models
import Testing

/// The hand-written `ce_time` formatter and parser agree with Foundation's ISO 8601 formatter.
@Suite struct RFC3339TimeTests {
    let foundation: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    @Test func formatsLikeFoundationAndParsesBack() {
        var state: UInt64 = 12345
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            // Millisecond instants between 1901 and 2200.
            let milliseconds = Int64(bitPattern: state >> 22) % 9_400_000_000_000 - 2_170_000_000_000
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = RFC3339Time.format(date)
            #expect(text == foundation.string(from: date))
            #expect(RFC3339Time.parse(text) == foundation.date(from: text))
            #expect(RFC3339Time.parse(text) == date)
        }
    }

    @Test func acceptsOffsetsAndOtherFractions() throws {
        let utc = try #require(RFC3339Time.parse("2026-03-16T12:00:00Z"))
        #expect(utc.timeIntervalSince1970 == 1_773_662_400)
        #expect(RFC3339Time.parse("2026-03-16T09:00:00-03:00") == utc)
        #expect(RFC3339Time.parse("2026-03-16T14:30:00+02:30") == utc)
        #expect(RFC3339Time.parse("2026-03-16t12:00:00z") == utc)
        #expect(RFC3339Time.parse("2026-03-16T12:00:00.5Z")?.timeIntervalSince1970 == 1_773_662_400.5)
        #expect(RFC3339Time.parse("2026-03-16T12:00:00.123456789Z") != nil)
        #expect(RFC3339Time.format(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
    }

    @Test func rejectsWhatIsNotADateTime() {
        for text in ["", "2026-03-16", "2026-03-16T12:00:00", "2026-13-16T12:00:00Z", "2026-03-16T24:00:00Z",
                     "2026-03-16T12:00:00.Z", "2026-03-16T12:00:00+0300", "2026-03-16T12:00:00Zjunk",
                     "20x6-03-16T12:00:00Z", "2026/03/16T12:00:00Z"] {
            #expect(RFC3339Time.parse(text) == nil, "\(text)")
        }
    }
}
