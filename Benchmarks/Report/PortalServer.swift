import BenchmarkSupport
import Foundation
import Hummingbird
import Kafka
import Logging
import Models
import Postgres
import ReportPublisherCore
import Runtime
import ServiceHTTP
import ServiceLifecycle

/// The report publisher's HTTP endpoint as `ressus-report-publisher` wires it (ServiceHost's
/// `HTTPEndpoint` with health, metrics and the request counter, plus `Portal.install`), over the
/// benchmark's read-model schema, on a free loopback port, with the business clock fixed on `today`.
final class PortalServer: Sendable {
    let port: Int
    let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(database: PostgresPool, brokers: String, today: CivilDate, policy: PortalPolicy, logger: Logger) throws {
        port = try Self.freePort()
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: brokers, clientID: "report-benchmark"), logger: logger)
        let clock = SimulatedClock(startingAt: BusinessTimeZone.startOfDay(today).addingTimeInterval(12 * 3600))
        let environment = PortalEnvironment(database: database, businessClock: clock, policy: policy, logger: logger)
        let endpoint = HTTPEndpoint.makeApplication(
            configuration: HTTPEndpointConfiguration(host: "127.0.0.1", port: port),
            health: HealthChecks(readiness: ServiceReadiness(), database: database, broker: admin),
            registry: ServiceMetrics.bootstrap(), logger: logger,
            routes: { router in Portal.install(on: router, environment: environment) })
        let group = ServiceGroup(configuration: .init(services: [endpoint], logger: logger))
        self.group = group
        task = Task { try await group.run() }
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Waits until `/health/live` answers.
    func waitUntilListening() async throws {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("report-benchmark-probe-\(port)")
        defer { try? FileManager.default.removeItem(at: probe) }
        for _ in 0..<200 {
            if try await runProcess("/usr/bin/curl", ["-sf", "-o", "/dev/null", base + "/health/live"], output: probe) == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("the portal did not start listening on port \(port)")
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// A port the system considers free right now (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchmarkFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchmarkFailure("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// One logged-in portal session: its cookie and the CSRF token its forms carry.
struct PortalSessionCookie {
    let root: String
    let cookie: String
    let csrf: String
}

/// A browser's steps through the portal with curl: the login form, and downloads.
struct PortalClient {
    let base: String
    let directory: URL

    /// Logs in through the real login form (GET for the form's CSRF token and login cookie, POST
    /// with root and password); returns the session cookie and the session's CSRF token.
    func login(root: String, password: String) async throws -> PortalSessionCookie {
        let form = try await fetch(["/portal/entrar"])
        guard let loginCookie = form.cookie("ressus_portal_login"), let token = form.csrf else {
            throw BenchmarkFailure("login form without login cookie or CSRF token")
        }
        let posted = try await fetch([
            "/portal/entrar", "-H", "Cookie: ressus_portal_login=\(loginCookie)",
            "--data-urlencode", "csrf=\(token)", "--data-urlencode", "cnpj_raiz=\(root)", "--data-urlencode", "senha=\(password)",
        ])
        guard posted.status == 303, let session = posted.cookie("ressus_portal_sessao") else {
            throw BenchmarkFailure("login of \(root) answered \(posted.status) without a session cookie")
        }
        let cookie = "ressus_portal_sessao=\(session)"
        let page = try await fetch(["/portal/relatorios/financeiro/posicao", "-H", "Cookie: \(cookie)"])
        guard page.status == 200, let csrf = page.csrf else { throw BenchmarkFailure("report form of \(root) answered \(page.status)") }
        return PortalSessionCookie(root: root, cookie: cookie, csrf: csrf)
    }

    /// POSTs the Posição Financeira Atualizada form; returns the PDF's bytes and the request's seconds.
    func positionPDF(_ session: PortalSessionCookie, date: CivilDate) async throws -> (bytes: Data, seconds: Double) {
        var answer: Answer?
        let elapsed = try await seconds {
            answer = try await fetch(["/portal/relatorios/financeiro/posicao", "-H", "Cookie: \(session.cookie)",
                                      "--data-urlencode", "csrf=\(session.csrf)", "--data-urlencode", "data=\(date.description)"])
        }
        guard let answer, answer.status == 200 else { throw BenchmarkFailure("PDF request answered \(answer?.status ?? 0)") }
        return (answer.body, elapsed)
    }

    struct Answer {
        let status: Int
        let headers: String
        let body: Data

        func cookie(_ name: String) -> String? {
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("set-cookie: \(name)=") {
                let value = line.dropFirst("set-cookie: \(name)=".count).prefix { $0 != ";" }
                return value.isEmpty ? nil : String(value)
            }
            return nil
        }

        /// The value of the first `csrf` field of the page.
        var csrf: String? {
            let text = String(decoding: body, as: UTF8.self)
            guard let range = text.range(of: #"name="csrf" value="[^"]+""#, options: .regularExpression) else { return nil }
            return text[range].split(separator: "\"").last.map(String.init)
        }
    }

    /// One curl request: `arguments` starts with the path.
    func fetch(_ arguments: [String]) async throws -> Answer {
        let name = UUID().uuidString
        let headers = directory.appendingPathComponent("\(name).headers"), body = directory.appendingPathComponent("\(name).body")
        defer {
            try? FileManager.default.removeItem(at: headers)
            try? FileManager.default.removeItem(at: body)
        }
        guard try await runProcess("/usr/bin/curl", ["-s", "-D", headers.path, "-o", body.path, base + arguments[0]]
                                   + arguments.dropFirst()) == 0 else {
            throw BenchmarkFailure("curl \(arguments[0]) failed")
        }
        let head = try String(contentsOf: headers, encoding: .utf8)
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Answer(status: status, headers: head, body: try Data(contentsOf: body))
    }
}
