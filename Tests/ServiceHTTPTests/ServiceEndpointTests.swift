import Foundation
import Testing

/// The real `ressus-intake` executable against the local database and broker: its HTTP endpoint,
/// JSON logs, and shutdown on SIGTERM and SIGINT.
@Suite(.serialized) struct ServiceEndpointTests {
    @Test func readyMetricsAndLiveWithJSONLogs() async throws {
        let service = try ServiceProcess("intake", overrides: ["RESSUS_LOG_FORMAT": "json", "RESSUS_INTAKE_HTTP_PORT": "0"])
        let port = try await service.httpPort()
        #expect(port > 0)
        try await service.log.waitFor("service ready", timeout: .seconds(60), process: service.process)

        let ready = try await get(port: port, "/health/ready")
        #expect(ready.status == 200, "body: \(ready.body)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ready.body.utf8)) as? [String: Any])
        #expect(report["status"] as? String == "ok")
        #expect(report["checks"] as? [String: String] == ["database": "ok", "broker": "ok"])
        #expect(try await get(port: port, "/health").status == 200)

        let live = try await get(port: port, "/health/live")
        #expect(live.status == 200)
        let missing = try await get(port: port, "/nothing-here")
        #expect(missing.status == 404)

        let metrics = try await get(port: port, "/metrics")
        #expect(metrics.status == 200)
        let counted = metrics.body.split(separator: "\n").filter {
            $0.hasPrefix("ressus_http_requests_total{") && $0.contains(#"path="/health/ready""#) && $0.contains(#"status="200""#)
        }
        #expect(counted.count == 1 && counted.first?.hasSuffix(" 1") == true, "metrics:\n\(metrics.body)")
        #expect(metrics.body.contains(#"status="404""#), "metrics:\n\(metrics.body)")
        #expect(metrics.body.contains("# TYPE ressus_http_requests_total counter"))

        #expect(try await service.stop(with: SIGTERM) == 0, "log:\n\(service.log.text)")
        try await service.log.waitFor("service stopped", timeout: .seconds(5), process: nil)

        // Every line is one JSON object with the handler's fields.
        let lines = service.log.text.split(separator: "\n")
        #expect(lines.count >= 5)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["message"] is String && object?["level"] is String && object?["time"] is String,
                    "not a JSON log line: \(line)")
        }
        let messages = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["message"] as? String }
        #expect(messages.contains("service ready") && messages.contains("service stopped") && messages.contains("http listening"))
    }

    @Test func sigintStopsCleanly() async throws {
        let service = try ServiceProcess("intake")
        let port = try await service.httpPort()
        try await service.log.waitFor("service ready", timeout: .seconds(60), process: service.process)
        #expect(try await get(port: port, "/health/live").status == 200)
        #expect(try await service.stop(with: SIGINT) == 0, "log:\n\(service.log.text)")
        try await service.log.waitFor("service stopped", timeout: .seconds(5), process: nil)
    }

    /// The database is checked at startup (migrations): while it is unreachable the service is
    /// live but not ready, and a SIGTERM stops it cleanly without waiting for the database.
    @Test func unreachableDatabaseIsLiveButNotReady() async throws {
        let service = try ServiceProcess("intake", overrides: [
            "RESSUS_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/ressus",
        ])
        let port = try await service.httpPort()
        let ready = try await get(port: port, "/health/ready")
        #expect(ready.status == 503, "body: \(ready.body)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ready.body.utf8)) as? [String: Any])
        #expect(report["status"] as? String == "degraded")
        let checks = try #require(report["checks"] as? [String: String])
        #expect(checks["database"] != "ok" && checks["database"] != nil)
        #expect(checks["broker"] == "ok")
        #expect(try await get(port: port, "/health/live").status == 200)
        #expect(!service.log.text.contains("service ready"))

        #expect(try await service.stop(with: SIGTERM) == 0, "log:\n\(service.log.text)")
        try await service.log.waitFor("service stopped", timeout: .seconds(5), process: nil)
        #expect(service.log.text.contains("stopped while starting"))
    }

    /// A port already taken is a clear startup failure (exit 1), not a silent service without
    /// its endpoint.
    @Test func portInUseFailsClearly() async throws {
        let first = try ServiceProcess("intake")
        let port = try await first.httpPort()
        let second = try ServiceProcess("intake", overrides: ["RESSUS_HTTP_PORT": "\(port)"])
        try await second.log.waitFor("service failed", timeout: .seconds(30), process: nil)
        #expect(try await second.stop(with: SIGTERM) == 1, "log:\n\(second.log.text)")
        #expect(second.log.text.contains("Address already in use"), "log:\n\(second.log.text)")
        #expect(!second.log.text.contains("service ready"), "log:\n\(second.log.text)")
        #expect(try await first.stop(with: SIGTERM) == 0, "log:\n\(first.log.text)")
    }
}
