import Foundation
import Models

/// The one source of "now" for every service. Production uses ``WallClock``; demos and tests use
/// ``SimulatedClock``, which only moves when told, so a multi-month cycle runs in minutes with the
/// same results every run.
public protocol BusinessClock: Sendable {
    /// The current instant.
    var now: Date { get }
}

/// The civil time zone of the billing cycle: business dates are dates in Brasília time.
public enum BusinessTimeZone {
    public static let identifier = "America/Sao_Paulo"
    public static let zone = TimeZone(identifier: identifier)!

    /// The calendar used to turn instants into business dates.
    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// The civil date of `instant` in Brasília time.
    public static func civilDate(of instant: Date) -> CivilDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        // The calendar only produces valid dates.
        return try! CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// The instant at which `date` begins (midnight, Brasília time).
    public static func startOfDay(_ date: CivilDate) -> Date {
        calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
    }
}

extension BusinessClock {
    /// Today's business date (the civil date in Brasília time).
    public var today: CivilDate { BusinessTimeZone.civilDate(of: now) }
}

/// The system clock.
public struct WallClock: BusinessClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told, and never backwards.
public final class SimulatedClock: BusinessClock, @unchecked Sendable {
    // Guarded by `lock`.
    private var current: Date
    private let lock = NSLock()

    public init(startingAt start: Date) { current = start }

    public var now: Date { lock.withLock { current } }

    /// Moves the clock to `instant`; an earlier instant is ignored (the clock is monotonic).
    /// Returns whether the clock moved.
    @discardableResult
    public func advance(to instant: Date) -> Bool {
        lock.withLock {
            guard instant > current else { return false }
            current = instant
            return true
        }
    }

    /// Moves the clock forward by `seconds`.
    public func advance(bySeconds seconds: TimeInterval) {
        precondition(seconds >= 0, "a simulated clock never moves backwards")
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }
}
