import Foundation

/// Which business clock a service runs on (`RESSUS_CLOCK`), and where a simulated clock starts
/// (`RESSUS_CLOCK_START`).
public enum ClockMode: Sendable, Equatable {
    /// The system clock (production).
    case wall
    /// A ``SimulatedClock`` starting at `start`, moved by the shared clock topic.
    case simulated(start: Date)

    /// `RESSUS_CLOCK`'s default.
    public static let defaultMode = "wall"
    /// `RESSUS_CLOCK_START`'s default: the simulated instant before any advance.
    public static let defaultStart = "2026-01-02T09:00:00-03:00"

    /// Parses the two variables' values (nil or empty means the default).
    public static func parse(mode: String?, start: String?) throws -> ClockMode {
        let modeText = mode.flatMap { $0.isEmpty ? nil : $0 } ?? defaultMode
        switch modeText {
        case "wall":
            return .wall
        case "simulated":
            return .simulated(start: try simulatedStart(start))
        default:
            throw ConfigurationError(variable: "RESSUS_CLOCK", problem: "must be wall or simulated, got '\(modeText)'")
        }
    }

    /// Parses `RESSUS_CLOCK_START` (nil or empty means ``defaultStart``).
    public static func simulatedStart(_ text: String?) throws -> Date {
        let startText = text.flatMap { $0.isEmpty ? nil : $0 } ?? defaultStart
        guard let instant = parseInstant(startText) else {
            throw ConfigurationError(
                variable: "RESSUS_CLOCK_START",
                problem: "must be an ISO 8601 instant with offset (e.g. \(defaultStart)), got '\(startText)'")
        }
        return instant
    }

    /// Builds the clock.
    public func makeClock() -> any BusinessClock {
        switch self {
        case .wall: WallClock()
        case .simulated(let start): SimulatedClock(startingAt: start)
        }
    }

    /// An ISO 8601 instant with offset or `Z`, e.g. `2026-01-02T09:00:00-03:00`.
    static func parseInstant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
