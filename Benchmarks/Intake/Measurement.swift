import BenchmarkSupport
import Foundation

/// A child process run to completion, its output in temporary files; polled, so no thread blocks.
func runProcess(_ executable: URL, _ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
    let directory = FileManager.default.temporaryDirectory
    let outURL = directory.appendingPathComponent("intake-benchmark-\(UUID().uuidString).out")
    let errURL = directory.appendingPathComponent("intake-benchmark-\(UUID().uuidString).err")
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardOutput = out
    process.standardError = err
    try process.run()
    while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
    try? out.close()
    try? err.close()
    return (process.terminationStatus,
            String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
}
