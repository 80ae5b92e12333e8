import Foundation
import TestSupport
import Testing

/// A `runtime-test-worker` child process (see Tests/Support/RuntimeWorkerProcess/main.swift), run
/// through `ChildProcess`, which never blocks a cooperative thread. A worker still running when it
/// is released is killed.
final class RuntimeWorker: @unchecked Sendable {
    private let child: ChildProcess
    private var process: Process { child.process }

    /// Starts the worker with `arguments` (mode first) and the test's environment, with `environment`
    /// overriding it.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        child = try ChildProcess(
            "runtime-test-worker", arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, mergingErrors: false)
    }

    /// The number on the last complete stdout line `<word> N` (e.g. `applied 2417`), or 0.
    func lastReported(_ word: String) -> Int {
        let lines = child.output.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()  // last one may be partial
        for line in lines.reversed() where line.hasPrefix(word + " ") {
            return Int(line.dropFirst(word.count + 1)) ?? 0
        }
        return 0
    }

    /// The PostgreSQL `application_name` of the worker's sessions in `mode` on `schema`.
    static func applicationName(mode: String, schema: String) -> String { "runtime-test-worker-\(mode)-\(schema)" }

    /// Waits until the worker said `ready` (from then on SIGTERM shuts it down gracefully).
    func waitUntilReady() async throws {
        try await waitUntil("the worker to be ready", timeout: .seconds(20)) {
            try requireRunning()
            return child.output.text.split(separator: "\n").contains("ready")
        }
    }

    /// Throws (with the worker's stderr) if the process has exited.
    func requireRunning() throws {
        guard process.isRunning else {
            throw TestFailure("runtime-test-worker exited (status \(process.terminationStatus)): \(child.errors?.text ?? "")")
        }
    }

    /// SIGKILL: no graceful shutdown, no flush, no commit.
    func crash() { kill(process.processIdentifier, SIGKILL) }

    /// SIGTERM once the worker is ready: it shuts its service down gracefully.
    func stop() async throws {
        try await waitUntilReady()
        process.terminate()
    }

    /// Waits for the process to exit.
    func waitForExit(timeout: Duration = .seconds(20)) async throws {
        _ = try await child.waitForExit(timeout: timeout)
    }

    /// After exit: a signal ended it (as after `crash()`).
    var wasKilled: Bool { process.terminationReason == .uncaughtSignal }

    /// After exit: it returned normally with status 0 (as after `stop()`).
    var exitedCleanly: Bool { process.terminationReason == .exit && process.terminationStatus == 0 }
}
