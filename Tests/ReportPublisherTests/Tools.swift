import Foundation
import TestSupport

/// Runs system tools (pdftotext, chromium) without blocking a cooperative thread: the process's
/// exit resumes the awaiting task.
enum Tool {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func locate(_ name: String) throws -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/bin", "/usr/local/bin", "/bin"]
        guard let found = folders.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("\(name) not found: run deploy/local/bootstrap.sh (poppler-utils, chromium)")
        }
        return found
    }

    static func run(_ name: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> Output {
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("rp-tool-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("rp-tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: name.contains("/") ? name : try locate(name))
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        // Kills the tool if it overruns `timeout` (its exit then resumes the wait below).
        let watched = process
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if watched.isRunning { watched.terminate() }
        }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        watchdog.cancel()
        try out.close()
        try err.close()
        return Output(status: status,
                      stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                      stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    /// `pdftotext -layout` of `bytes`, one string per page.
    static func pdfText(_ bytes: [UInt8]) async throws -> [String] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rp-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let output = try await run("pdftotext", ["-layout", url.path, "-"])
        guard output.status == 0 else { throw TestFailure("pdftotext failed: \(output.stderr)") }
        var pages = output.stdout.split(separator: "\u{0C}", omittingEmptySubsequences: false).map(String.init)
        if pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true { pages.removeLast() }
        return pages
    }
}
