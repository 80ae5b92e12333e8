import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The local database and broker (set by `make test` from .local/run/env.sh).
func requiredEnvironment() throws -> [String: String] {
    let env = ProcessInfo.processInfo.environment
    for name in ["RESSUS_DATABASE_URL", "RESSUS_KAFKA_BROKERS"] where (env[name] ?? "").isEmpty {
        throw TestFailure("\(name) is not set: run the tests with `make test`")
    }
    return env
}

/// A real service executable (e.g. `ressus-intake`) run as a child process, its output collected.
final class ServiceProcess: @unchecked Sendable {
    let process = Process()
    let log: LogCollector

    /// Starts `ressus-<service>` with the test environment plus `overrides`.
    init(_ service: String, overrides: [String: String] = [:]) throws {
        process.executableURL = try Self.executable(service)
        process.environment = try requiredEnvironment().merging(overrides) { _, new in new }
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        log = LogCollector(output.fileHandleForReading)
        try process.run()
    }

    deinit { if process.isRunning { process.terminate() } }

    static func executable(_ service: String) throws -> URL {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [bundleFolder, bundleFolder.deletingLastPathComponent().appendingPathComponent("debug")]
            .map { $0.appendingPathComponent("ressus-\(service)") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("ressus-\(service) not built; looked in \(candidates.map(\.path)) (run make build)")
        }
        return found
    }

    /// The HTTP port from the `http listening` line (text `port=N` or JSON `"port":"N"`).
    func httpPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await log.waitFor("http listening", timeout: timeout, process: process)
        let line = try #require(log.text.split(separator: "\n").first { $0.contains("http listening") })
        let pattern = /port[=":]+(\d+)/
        let match = try #require(line.firstMatch(of: pattern), "no port in: \(line)")
        return try #require(Int(match.1))
    }

    /// Sends `signal` and waits (at most `timeout`) for the process to exit; returns its status.
    func stop(with signal: Int32, timeout: Duration = .seconds(20)) async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestFailure("still running \(timeout) after signal \(signal); log:\n\(log.text)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }
}

/// GET http://127.0.0.1:port/path → (status, body).
func get(port: Int, _ path: String) async throws -> (status: Int, body: String) {
    let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
    var request = URLRequest(url: url)
    request.timeoutInterval = 10
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = try #require(response as? HTTPURLResponse).statusCode
    return (status, String(decoding: data, as: UTF8.self))
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
