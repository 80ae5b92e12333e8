import Foundation

/// A child process whose output goes to temporary files, read back while it runs: no pipes (a
/// pipe's end of file was sometimes never reported after the child exited) and no thread blocked
/// waiting (tests on 2 cores must never block a cooperative thread: the services under test need
/// them).
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    /// Standard output (and standard error too, when started with `mergingErrors`).
    public let output: OutputCollector
    /// Standard error, when kept apart from standard output.
    public let errors: OutputCollector?

    /// Starts the built executable `name` with `arguments` and `environment`.
    public convenience init(
        _ name: String, arguments: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
        mergingErrors: Bool = true
    ) throws {
        try self.init(executable: try BuiltProducts.executable(name), arguments: arguments, environment: environment,
                      mergingErrors: mergingErrors)
    }

    /// Starts the program at `executable` (e.g. the project's Python) with `arguments` and `environment`.
    public init(
        executable: URL, arguments: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
        mergingErrors: Bool = true
    ) throws {
        let name = executable.lastPathComponent
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        output = try OutputCollector(name: name)
        process.standardOutput = output.writer
        if mergingErrors {
            process.standardError = output.writer
            errors = nil
        } else {
            let collector = try OutputCollector(name: name + "-err")
            process.standardError = collector.writer
            errors = collector
        }
        try process.run()
        output.process = process
        errors?.process = process
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// Waits until the output contains `needle`; fails if the process exits first.
    public func waitFor(_ needle: String, timeout: Duration = .seconds(60)) async throws {
        try await output.waitFor(needle, timeout: timeout, process: process)
    }

    /// Sends `signal` (if still running) and waits for the exit; returns the termination status.
    @discardableResult
    public func stop(with signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return try await waitForExit(timeout: timeout)
    }

    /// Waits (polling) for the process to exit; returns the status.
    public func waitForExit(timeout: Duration = .seconds(120)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("process still running after \(timeout); output:\n\(output.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Runs the built executable `name` to completion; returns its status, output and errors.
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String, error: String) {
        try await run(executable: try BuiltProducts.executable(name), arguments, environment: environment, timeout: timeout)
    }

    /// Runs the program at `executable` to completion; returns its status, output and errors.
    public static func run(
        executable: URL, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String, error: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, mergingErrors: false)
        let status = try await child.waitForExit(timeout: timeout)
        return (status, child.output.text, child.errors?.text ?? "")
    }
}

/// What a child process writes to one of its streams, in a temporary file deleted on release.
public final class OutputCollector: @unchecked Sendable {
    let url: URL
    let writer: FileHandle
    /// Set once the process started; only read afterwards.
    var process: Process?

    init(name: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ressus-test-\(name)-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw TestFailure("cannot create \(url.path)")
        }
        writer = try FileHandle(forWritingTo: url)
    }

    deinit {
        try? writer.close()
        try? FileManager.default.removeItem(at: url)
    }

    /// Everything written so far.
    public var text: String { (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
    /// Whether the writer exited (nothing more will come).
    public var ended: Bool { !(process?.isRunning ?? true) }

    /// Waits until the text contains `needle`; fails if `process` exits first or after `timeout`.
    public func waitFor(_ needle: String, timeout: Duration, process: Process?) async throws {
        let deadline = ContinuousClock.now + timeout
        while !text.contains(needle) {
            if let process, !process.isRunning, !text.contains(needle) {
                throw TestFailure("process exited (\(process.terminationStatus)) before '\(needle)'; output:\n\(text)")
            }
            if ContinuousClock.now > deadline { throw TestFailure("no '\(needle)' within \(timeout); output:\n\(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
