import BenchmarkSupport
import Foundation

/// What wrk measured.
struct WrkResult {
    var p50Milliseconds = Double.nan, p99Milliseconds = Double.nan
    var requestsPerSecond = Double.nan
    var requests = 0
    /// Responses other than 200 (a redirect to the login page would be one): must be 0.
    var failures = -1
    /// Connect, read, write errors and timeouts (10 s): must be 0.
    var socketErrors = 0
}

/// wrk (Debian package `wrk`) against the portal: `connections` connections for `duration`
/// seconds, each request with the next of the sessions' cookies and, every full turn of the
/// cookies, the next page of `paths` (so every session asks for every page).
struct WrkLoad {
    static let executable = "/usr/bin/wrk"
    let base: String
    let directory: URL

    func run(cookies: [String], paths: [String], connections: Int, threads: Int, duration: Int) async throws -> WrkResult {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw BenchmarkFailure("wrk not found: install it (apt-get install wrk, or make bootstrap)")
        }
        let script = directory.appendingPathComponent("report-benchmark.lua")
        let output = directory.appendingPathComponent("report-benchmark-wrk.txt")
        defer {
            try? FileManager.default.removeItem(at: script)
            try? FileManager.default.removeItem(at: output)
        }
        try Self.script(cookies: cookies, paths: paths).write(to: script, atomically: true, encoding: .utf8)
        let status = try await runProcess(Self.executable, [
            "-t", String(threads), "-c", String(connections), "-d", "\(duration)s", "--timeout", "10s", "--latency", "-s", script.path, base,
        ], output: output)
        let text = try String(contentsOf: output, encoding: .utf8)
        guard status == 0 else { throw BenchmarkFailure("wrk failed (\(status)):\n\(text)") }
        return Self.parse(text)
    }

    static func script(cookies: [String], paths: [String]) -> String {
        func list(_ items: [String]) -> String { items.map { "\"\($0)\"" }.joined(separator: ",\n  ") }
        return """
            local cookies = {
              \(list(cookies))
            }
            local paths = {
              \(list(paths))
            }
            local counter = 0
            local threads = {}
            function setup(thread) table.insert(threads, thread) end
            function init(args) failures = 0 end
            function request()
              counter = counter + 1
              local cookie = cookies[counter % #cookies + 1]
              local path = paths[math.floor(counter / #cookies) % #paths + 1]
              return wrk.format("GET", path, { ["Cookie"] = cookie })
            end
            function response(status, headers, body)
              if status ~= 200 then failures = failures + 1 end
            end
            function done(summary, latency, requests)
              local total = 0
              for _, thread in ipairs(threads) do total = total + thread:get("failures") end
              io.write(string.format("NON200 %d\\n", total))
            end

            """
    }

    /// Reads `--latency`'s distribution (50% and 99% lines), Requests/sec, the request count and
    /// the script's NON200 line.
    static func parse(_ text: String) -> WrkResult {
        var result = WrkResult()
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            switch fields.first {
            case "50%": result.p50Milliseconds = milliseconds(fields.dropFirst().first)
            case "99%": result.p99Milliseconds = milliseconds(fields.dropFirst().first)
            case "Requests/sec:": result.requestsPerSecond = fields.dropFirst().first.flatMap { Double($0) } ?? .nan
            case "NON200": result.failures = fields.dropFirst().first.flatMap { Int($0) } ?? -1
            case "Socket" where line.hasPrefix("Socket errors:"):
                // "Socket errors: connect 0, read 0, write 0, timeout 12"
                result.socketErrors = fields.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            default:
                if line.contains("requests in"), let count = fields.first.flatMap({ Int($0) }) { result.requests = count }
            }
        }
        return result
    }

    /// wrk's durations: "812.00us", "12.34ms", "1.20s", "2.00m".
    private static func milliseconds(_ text: Substring?) -> Double {
        guard let text else { return .nan }
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            return (Double(text.dropLast(unit.count)) ?? .nan) * factor
        }
        return .nan
    }
}
