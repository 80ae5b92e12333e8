import Foundation

/// A failed step of the benchmark.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Wall time of `work` in seconds.
func seconds(_ work: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await work()
    return (ContinuousClock.now - start).seconds
}

/// This process's memory from /proc/self/status, in MiB.
enum ProcessMemory {
    /// Peak resident set size (VmHWM).
    static var peakMiB: Double { field("VmHWM") }
    /// Current resident set size (VmRSS).
    static var currentMiB: Double { field("VmRSS") }

    private static func field(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return .nan }
        return kilobytes / 1024
    }
}

/// Writes one line to stdout at once (unbuffered, so progress shows live in a pipe or file).
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

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
