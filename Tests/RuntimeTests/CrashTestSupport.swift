import Foundation
import Testing

/// A `runtime-test-worker` child process (see Tests/Support/RuntimeWorkerProcess/main.swift).
///
/// Never blocks a thread of the cooperative pool (on a 2-core machine that starves the very
/// services a test waits for): output is collected by readability handlers, and the exit is
/// awaited by polling `isRunning` with `Task.sleep`. A worker still running when it is released is
/// killed.
final class RuntimeWorker: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = ""  // guarded by `lock`
    private var errors = ""  // guarded by `lock`

    /// Starts the worker with `arguments` (mode first) and the test's environment, with `environment`
    /// overriding it.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = try SchedulerCrashTests.workerExecutable(named: "runtime-test-worker")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let standardOutput = Pipe(), standardError = Pipe()
        process.standardOutput = standardOutput
        process.standardError = standardError
        standardOutput.fileHandleForReading.readabilityHandler = { [weak self] in self?.collect($0, into: \.output) }
        standardError.fileHandleForReading.readabilityHandler = { [weak self] in self?.collect($0, into: \.errors) }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func collect(_ handle: FileHandle, into text: ReferenceWritableKeyPath<RuntimeWorker, String>) {
        let data = handle.availableData
        if data.isEmpty {
            handle.readabilityHandler = nil  // end of file
            return
        }
        lock.withLock { self[keyPath: text] += String(decoding: data, as: UTF8.self) }
    }

    /// The number on the last complete stdout line `<word> N` (e.g. `applied 2417`), or 0.
    func lastReported(_ word: String) -> Int {
        let text = lock.withLock { output }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()  // last one may be partial
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
            return lock.withLock { output }.split(separator: "\n").contains("ready")
        }
    }

    /// Throws (with the worker's stderr) if the process has exited.
    func requireRunning() throws {
        guard process.isRunning else {
            throw TestFailure("runtime-test-worker exited (status \(process.terminationStatus)): \(lock.withLock { errors })")
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
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("runtime-test-worker did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// After exit: a signal ended it (as after `crash()`).
    var wasKilled: Bool { process.terminationReason == .uncaughtSignal }

    /// After exit: it returned normally with status 0 (as after `stop()`).
    var exitedCleanly: Bool { process.terminationReason == .exit && process.terminationStatus == 0 }
}
