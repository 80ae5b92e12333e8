import Foundation

/// A failed precondition of a test, with a message saying what to do.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The local database and broker the integration tests use (set by `make test` from
/// `.local/run/env.sh`).
public enum TestEnvironment {
    /// The process environment, after checking that the database and broker addresses are set.
    public static func required() throws -> [String: String] {
        let environment = ProcessInfo.processInfo.environment
        for name in ["RESSUS_DATABASE_URL", "RESSUS_KAFKA_BROKERS"] where (environment[name] ?? "").isEmpty {
            throw TestFailure("\(name) is not set: run the tests with `make test`")
        }
        return environment
    }

    public static func databaseURL() throws -> String { try required()["RESSUS_DATABASE_URL"]! }
    public static func kafkaBrokers() throws -> String { try required()["RESSUS_KAFKA_BROKERS"]! }
}

/// Executables built next to the test bundle (`swift build --build-tests` builds them all).
public enum BuiltProducts {
    /// The built executable `name`, e.g. `ressus` or `ressus-intake`.
    public static func executable(_ name: String) throws -> URL {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [bundleFolder, bundleFolder.deletingLastPathComponent().appendingPathComponent("debug")]
            .map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("\(name) not built; looked in \(candidates.map(\.path)) (run make build)")
        }
        return found
    }
}

/// Polls `condition` every 20 ms until it holds; throws naming `what` after `timeout`.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now > deadline { throw TestFailure("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
