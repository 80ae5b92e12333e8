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
/// benchmark's read-model schema, on a port the system picks, with the business clock fixed on
/// `today`. The port is read from the endpoint's `http listening` log line, as the run scripts do.
final class PortalServer: Sendable {
    let group: ServiceGroup
    private let listening = ListeningPort()
    private let task: Task<Void, any Error>

    init(database: PostgresPool, brokers: String, today: CivilDate, policy: PortalPolicy, logger: Logger) throws {
        let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: brokers, clientID: "report-benchmark"), logger: logger)
        let clock = SimulatedClock(startingAt: BusinessTimeZone.startOfDay(today).addingTimeInterval(12 * 3600))
        let environment = PortalEnvironment(database: database, businessClock: clock, policy: policy, logger: logger)
        let listening = self.listening
        var endpointLogger = Logger(label: "report-benchmark.http") { _ in listening }
        endpointLogger.logLevel = .info
        let endpoint = HTTPEndpoint.makeApplication(
            configuration: HTTPEndpointConfiguration(host: "127.0.0.1", port: 0),
            health: HealthChecks(readiness: ServiceReadiness(), database: database, broker: admin),
            registry: ServiceMetrics.bootstrap(), logger: endpointLogger,
            routes: { router in Portal.install(on: router, environment: environment) })
        let group = ServiceGroup(configuration: .init(services: [endpoint], logger: logger))
        self.group = group
        task = Task { try await group.run() }
    }

    /// The base URL, once the endpoint listens (waits up to 10 s).
    func base() async throws -> String {
        for _ in 0..<200 {
            if let port = listening.port { return "http://127.0.0.1:\(port)" }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("the portal did not start listening")
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// A log handler that keeps the port of the `http listening` line and drops everything else.
final class ListeningPort: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    var port: Int? { lock.withLock { value } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        guard message.description == "http listening", let port = metadata?["port"].flatMap({ Int("\($0)") }) else { return }
        lock.withLock { value = port }
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
