import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// A real service executable (e.g. `ressus-intake`) run as a child process, its output collected.
final class ServiceProcess: @unchecked Sendable {
    let child: ChildProcess
    var process: Process { child.process }
    var log: OutputCollector { child.output }

    /// Starts `ressus-<service>` with the test environment plus `overrides`.
    init(_ service: String, overrides: [String: String] = [:]) throws {
        child = try ChildProcess(
            "ressus-\(service)", environment: try TestEnvironment.required().merging(overrides) { _, new in new })
    }

    /// The HTTP port from the `http listening` line (text `port=N` or JSON `"port":"N"`).
    func httpPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await child.waitFor("http listening", timeout: timeout)
        let line = try #require(log.text.split(separator: "\n").first { $0.contains("http listening") })
        let pattern = /port[=":]+(\d+)/
        let match = try #require(line.firstMatch(of: pattern), "no port in: \(line)")
        return try #require(Int(match.1))
    }

    /// Sends `signal` and waits (at most `timeout`) for the process to exit; returns its status.
    func stop(with signal: Int32, timeout: Duration = .seconds(20)) async throws -> Int32 {
        try await child.stop(with: signal, timeout: timeout)
    }
}

/// GET http://127.0.0.1:port/path → (status, body).
func get(port: Int, _ path: String) async throws -> (status: Int, body: String) {
    let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
    var request = URLRequest(url: url)
    request.timeoutInterval = 10
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = try #require(response as? HTTPURLResponse).statusCode
    return (status, String(decoding: data, as: UTF8.self))
}
