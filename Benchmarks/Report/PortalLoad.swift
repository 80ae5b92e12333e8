import BenchmarkSupport
import Foundation
import Logging
import Models
import Postgres
import ReportPublisherCore

/// The portal under load: accounts for the sessions' CNPJ roots (half of the sessions on the large
/// operadora, the rest one per other operadora), the portal's endpoint, logins through the form,
/// one PDF download of the large operadora over HTTP, then wrk over the portal's pages.
struct PortalLoad {
    let workload: ReportWorkload
    /// The portal's pool (the service's size).
    let database: PostgresPool
    /// For creating the accounts (the operator CLI's work, not measured).
    let accountsPool: PostgresPool
    let brokers: String
    let today: CivilDate
    let directory: URL
    let logger: Logger

    struct Result {
        var pdfSeconds = 0.0
        var wrk = WrkResult()
        /// Per page (`--por-pagina S`): wrk on that page alone, same connections, S seconds.
        var perPage: [(path: String, wrk: WrkResult)] = []
    }

    /// The pages wrk asks for: the Central de Relatórios, the report form, GRUs emitidas (first,
    /// middle and last pages of the large operadora) and the situação dos atendimentos with filters.
    static let paths = [
        "/portal/relatorios", "/portal/relatorios/financeiro/posicao", "/portal/grus", "/portal/grus?pagina=7",
        "/portal/grus?pagina=200", "/portal/atendimentos", "/portal/atendimentos?pagina=50",
        "/portal/atendimentos?situacao=pago", "/portal/atendimentos?situacao=cobrado&tipo=APAC", "/portal/atendimentos?abi=7",
    ]

    func run(sessions: Int, duration: Int, perPageDuration: Int = 0) async throws -> Result {
        var policy = PortalPolicy()
        policy.secureCookies = false  // plain http on loopback, as RESSUS_PORTAL_INSECURE_COOKIES=1 does locally
        let operadoras = (0..<sessions).map { $0 < sessions / 2 ? 0 : $0 - sessions / 2 + 1 }
        let password = "senha-do-benchmark-de-relatorios"
        let accounts = PortalAccounts(policy: policy)
        for operadora in Set(operadoras) {
            let root = workload.cnpjRoot(operadora)
            try await accountsPool.withTransaction { try accounts.create(root: root, password: password, on: $0) }
        }
        let server = try PortalServer(database: database, brokers: brokers, today: today, policy: policy, logger: logger)
        do {
            let base = try await server.base()
            let client = PortalClient(base: base, directory: directory)
            var cookies: [PortalSessionCookie] = []
            for operadora in operadoras {
                cookies.append(try await client.login(root: workload.cnpjRoot(operadora), password: password))
            }
            var result = Result()
            let (pdf, pdfSeconds) = try await client.positionPDF(cookies[0], date: today)
            guard pdf.starts(with: Array("%PDF-".utf8)) else { throw BenchmarkFailure("the portal's answer is not a PDF") }
            result.pdfSeconds = pdfSeconds
            result.wrk = try await WrkLoad(base: base, directory: directory).run(
                cookies: cookies.map(\.cookie), paths: Self.paths, connections: sessions, threads: 2, duration: duration)
            for path in Self.paths where perPageDuration > 0 {
                result.perPage.append((path, try await WrkLoad(base: base, directory: directory).run(
                    cookies: cookies.map(\.cookie), paths: [path], connections: sessions, threads: 2, duration: perPageDuration)))
            }
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
