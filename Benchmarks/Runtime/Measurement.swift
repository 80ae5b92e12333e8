import Foundation

/// Wall time of `work` in seconds.
func seconds(_ work: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await work()
    return (ContinuousClock.now - start).seconds
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
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
