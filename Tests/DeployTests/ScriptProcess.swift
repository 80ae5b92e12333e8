import Foundation
import TestSupport

/// A script of the repository run with bash, its output (stdout and stderr) in a temporary file
/// read back while it runs; never blocks a thread waiting for it.
struct ScriptProcess {
    /// The package root (this file is Tests/DeployTests/ScriptProcess.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `bash <script> <arguments>` from the package root; returns the exit status and output.
    static func run(
        _ script: String, _ arguments: [String], environment: [String: String], timeout: Duration
    ) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("ressus-deploy-test-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw TestFailure("cannot create \(log.path)")
        }
        defer { try? FileManager.default.removeItem(at: log) }
        let writer = try FileHandle(forWritingTo: log)
        defer { try? writer.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.currentDirectoryURL = packageRoot
        process.environment = environment
        process.standardOutput = writer
        process.standardError = writer
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestFailure("\(script) still running after \(timeout); output:\n\(text(log))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (process.terminationStatus, text(log))
    }

    private static func text(_ url: URL) -> String {
        (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
