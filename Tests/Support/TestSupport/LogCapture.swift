import Foundation
import Logging

/// Keeps what a logger is given (level, message and metadata), for tests that check what is, or is
/// never, logged.
public final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String, metadata: String)] = []
    private let level: Logger.Level

    /// Captures messages at `level` and above.
    public init(level: Logger.Level = .trace) { self.level = level }

    /// A logger writing into this capture.
    public var logger: Logger {
        var logger = Logger(label: "log-capture") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    /// The messages logged at `level`.
    public func messages(at level: Logger.Level) -> [String] {
        lock.withLock { entries.filter { $0.level == level }.map(\.message) }
    }

    /// Every entry as one line: `level message key=value …`.
    public var lines: [String] {
        lock.withLock { entries.map { "\($0.level) \($0.message) \($0.metadata)" } }
    }

    fileprivate func add(_ event: LogEvent, _ metadata: Logger.Metadata) {
        let rendered = metadata.merging(event.metadata ?? [:]) { $1 }.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        lock.withLock { entries.append((event.level, "\(event.message)", rendered)) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) { capture.add(event, metadata) }
    }
}
