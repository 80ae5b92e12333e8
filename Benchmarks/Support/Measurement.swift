import Foundation

/// A failed step of a benchmark.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Wall time of `work` in seconds.
public func seconds(_ work: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await work()
    return (ContinuousClock.now - start).seconds
}

/// This process's memory from /proc/self/status, in MiB.
public enum ProcessMemory {
    /// Peak resident set size (VmHWM).
    public static var peakMiB: Double { field("VmHWM") }
    /// Current resident set size (VmRSS).
    public static var currentMiB: Double { field("VmRSS") }

    private static func field(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return .nan }
        return kilobytes / 1024
    }
}

/// Writes one line to stdout at once (unbuffered, so progress shows live in a pipe or file).
public func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Runs one psql command (`/usr/bin/psql`, stop on error); waits by polling so no thread blocks on
/// the child.
public func runPsql(_ url: String, _ command: String) async throws {
    try await runPsql(url, commands: [command])
}

/// Runs psql commands in order in one psql session (each its own `-c`, so each may be one
/// backslash command such as `\copy`), stopping at the first error; its standard output to the
/// file `output` (else discarded), with `environment` over this process's own.
public func runPsql(_ url: String, commands: [String], output: URL? = nil, environment: [String: String] = [:]) async throws {
    let arguments = [url, "-X", "-q", "-v", "ON_ERROR_STOP=1"] + commands.flatMap { ["-c", $0] }
    guard try await runProcess("/usr/bin/psql", arguments, output: output, environment: environment) == 0 else {
        throw BenchmarkFailure("psql failed running \(commands.joined(separator: "; "))")
    }
}

/// Runs `executable` with `arguments` (and `environment` over this process's own), its standard
/// output to the file `output` (else discarded) and its standard error discarded; waits by polling
/// so no thread blocks on the child, and stops the child if the waiting task is cancelled. Returns
/// the exit status.
public func runProcess(_ executable: String, _ arguments: [String], output: URL? = nil,
                       environment: [String: String] = [:]) async throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    var file: FileHandle?
    if let output {
        FileManager.default.createFile(atPath: output.path, contents: nil)
        file = try FileHandle(forWritingTo: output)
    }
    defer { try? file?.close() }
    process.standardOutput = file ?? FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    do {
        while process.isRunning { try await Task.sleep(for: .milliseconds(1)) }
    } catch {
        process.terminate()
        throw error
    }
    return process.terminationStatus
}
