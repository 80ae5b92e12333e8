import Foundation

/// A child process whose output is collected without blocking any thread: tests on 2 cores must
/// never block a cooperative thread waiting for a child (the services under test need them).
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    /// Standard output (and standard error too, when started with `mergingErrors`).
    public let output: OutputCollector
    /// Standard error, when kept apart from standard output.
    public let errors: OutputCollector?

    /// Starts the built executable `name` with `arguments` and `environment`.
    public init(
        _ name: String, arguments: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
        mergingErrors: Bool = true
    ) throws {
        process.executableURL = try BuiltProducts.executable(name)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        output = OutputCollector(out.fileHandleForReading)
        if mergingErrors {
            process.standardError = out
            errors = nil
        } else {
            let err = Pipe()
            process.standardError = err
            errors = OutputCollector(err.fileHandleForReading)
        }
        try process.run()
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

    /// Waits (polling) for the process to exit and its output to end; returns the status.
    public func waitForExit(timeout: Duration = .seconds(120)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning || !output.ended || !(errors?.ended ?? true) {
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
        let child = try ChildProcess(name, arguments: arguments, environment: environment, mergingErrors: false)
        let status = try await child.waitForExit(timeout: timeout)
        return (status, child.output.text, child.errors?.text ?? "")
    }
}

/// Accumulates what a child process writes to a pipe, so tests can wait for a line.
public final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()  // guarded by lock
    private var finished = false  // guarded by lock

    public init(_ handle: FileHandle) {
        handle.readabilityHandler = { [self] handle in
            let data = handle.availableData
            lock.withLock { if data.isEmpty { finished = true } else { buffer.append(data) } }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
    }

    public var text: String { lock.withLock { String(decoding: buffer, as: UTF8.self) } }
    /// Whether the pipe reached end of file.
    public var ended: Bool { lock.withLock { finished } }

    /// Waits until the text contains `needle`; fails if `process` exits first or after `timeout`.
    public func waitFor(_ needle: String, timeout: Duration, process: Process?) async throws {
        let deadline = ContinuousClock.now + timeout
        while !text.contains(needle) {
            if let process, !process.isRunning, ended {
                throw TestFailure("process exited (\(process.terminationStatus)) before '\(needle)'; output:\n\(text)")
            }
            if ContinuousClock.now > deadline { throw TestFailure("no '\(needle)' within \(timeout); output:\n\(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
