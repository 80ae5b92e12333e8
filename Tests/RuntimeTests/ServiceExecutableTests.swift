import Foundation
import Testing

/// Starts each real service executable against the local database and broker, waits until it is
/// ready, sends SIGTERM and checks that it shuts down cleanly.
@Suite(.serialized) struct ServiceExecutableTests {
    static let services = ["intake", "deadlines", "debt-calculator", "report-publisher", "fns-transfer"]

    /// The folder holding the built products (next to the test bundle).
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("debug", isDirectory: true)
    }

    static func executable(_ service: String) throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            productsDirectory,
        ].map { $0.appendingPathComponent("ressus-\(service)") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("ressus-\(service) not built; looked in \(candidates.map(\.path)) (run make build)")
        }
        return found
    }

    static func requiredEnvironment() throws -> [String: String] {
        let env = ProcessInfo.processInfo.environment
        for name in ["RESSUS_DATABASE_URL", "RESSUS_KAFKA_BROKERS"] where env[name] == nil {
            throw TestFailure("\(name) is not set: run the tests with `make test`")
        }
        return env
    }

    @Test(arguments: services)
    func startsConnectsAndStopsCleanly(service: String) async throws {
        let process = Process()
        process.executableURL = try Self.executable(service)
        process.environment = try Self.requiredEnvironment()
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        let log = LogCollector(output.fileHandleForReading)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        try await log.waitFor("service ready", timeout: .seconds(60), process: process)
        #expect(log.text.contains("database connected"))
        #expect(log.text.contains("broker connected"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "log:\n\(log.text)")
        try await log.waitFor("service stopped", timeout: .seconds(5), process: nil)
    }

    @Test func missingConfigurationIsAClearError() throws {
        let process = Process()
        process.executableURL = try Self.executable("intake")
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 2)
        #expect(text.contains("RESSUS_DATABASE_URL is not set"), "got: \(text)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Accumulates a child process's output so tests can wait for a line.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { handle.readabilityHandler = nil; return }
            self.lock.withLock { self.buffer += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { lock.withLock { buffer } }

    func waitFor(_ needle: String, timeout: Duration, process: Process?) async throws {
        let deadline = ContinuousClock.now + timeout
        while !text.contains(needle) {
            if let process, !process.isRunning {
                throw TestFailure("process exited (\(process.terminationStatus)) before '\(needle)'; log:\n\(text)")
            }
            if ContinuousClock.now > deadline { throw TestFailure("no '\(needle)' within \(timeout); log:\n\(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
