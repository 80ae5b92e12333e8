import Foundation

/// Peak resident memory of the running services, from Linux's `/proc/<pid>/status` (`VmHWM`: the
/// high-water mark of the resident set since the process started).
public enum ServiceMemory {
    /// `VmHWM` in KiB of each service whose pid file (`<service>.pid`, as deploy/local/services.sh
    /// writes them) is in `directory`; services without a readable pid or process are left out.
    public static func peakKiB(pidDirectory directory: String) -> [String: Int] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var peaks: [String: Int] = [:]
        for name in names where name.hasSuffix(".pid") {
            let service = String(name.dropLast(4))
            guard let text = try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8),
                  let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let peak = peakKiB(pid: pid) else { continue }
            peaks[service] = peak
        }
        return peaks
    }

    /// `VmHWM` in KiB of process `pid`, or nil when it is not running.
    public static func peakKiB(pid: Int) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
