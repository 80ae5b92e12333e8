// Issue 7's benchmark: the report publisher's read model, PDF and portal, in one run.
//
//   report-benchmark [--grus-maior G] [--operadoras M] [--grus-outras O] [--por-evento K]
//                    [--sessoes S] [--duracao D] [--repeticoes R] [--manter 1] [--apenas-pdf 1]
//                    [--por-pagina S] [--lote L] [--sem-compactar 1]
//
//   1. Seeds the read model by events: the debt calculator's handler charges the workload (one
//      operadora with G GRUs, default 10,000, and M-1 others with O GRUs each, K atendimentos per
//      GRU) and takes payments in a debt schema; its outbox and the chargeable events are applied
//      through ReadModelHandler, L events per transaction on both sides (default: the inbox
//      consumer's batch, 500). Prints both rates and "read model apply rate / debt event rate"
//      (issue 7: at least 1, the read model keeps up).
//   2. Times the Posição Financeira Atualizada PDF of the G-GRU operadora (query + layout), R
//      repetitions: median and max (target < 1 s); checks it with pdfinfo/pdftotext.
//   3. Vacuums and analyzes the read model's tables (as autovacuum does after the bulk seeding),
//      starts the portal's HTTP endpoint as the service wires it, logs S sessions in through the
//      login form (half of them on the large operadora), downloads the PDF over HTTP and runs wrk
//      with S connections for D seconds over the portal pages, rotating the session cookies:
//      p50, p99 (target < 50 ms) and requests/s.
//   `--por-pagina S` then runs wrk on each page alone for S seconds (where the time goes).
//   `--sem-compactar 1` skips step 1b (the portal then reads the first rounds' rows through their rounds).
//   `--manter 1` keeps the schemas afterwards (to EXPLAIN the portal's queries; drop them by hand)
//   and the last PDF (its path is printed). `--apenas-pdf 1` skips step 3 (for profiling the PDF).
//
// Build in release mode: swift build -c release --product report-benchmark. Needs wrk, curl,
// pdfinfo and pdftotext (deploy/local/bootstrap.sh installs them). Environment:
// RESSUS_DATABASE_URL, RESSUS_KAFKA_BROKERS (the health check's broker), RESSUS_DB_POOL_SIZE (the
// portal's pool, default 4 like the service). Private schemas, dropped at the end.
import BenchmarkSupport
import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import ReportPublisherCore
import Runtime

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

var options = ["--grus-maior": 10_000, "--operadoras": 50, "--grus-outras": 40, "--por-evento": 5,
               "--sessoes": 50, "--duracao": 25, "--repeticoes": 7, "--manter": 0, "--apenas-pdf": 0, "--por-pagina": 0, "--sem-compactar": 0,
               "--lote": InboxConsumerOptions().batchSize]
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    guard options[name] != nil, let value = arguments.popFirst().flatMap({ Int($0) }), value > 0 else {
        FileHandle.standardError.write(Data(("usage: report-benchmark " + options.keys.sorted().map { "[\($0) N]" }
            .joined(separator: " ") + "\n").utf8))
        exit(2)
    }
    options[name] = value
}
let sessions = options["--sessoes"]!
let keepSchemas = options["--manter"] == 1
let workload = ReportWorkload(largestGRUs: options["--grus-maior"]!, operadoras: max(options["--operadoras"]!, sessions / 2 + 1),
                              otherGRUs: options["--grus-outras"]!, perEvent: options["--por-evento"]!)
let environment = ProcessInfo.processInfo.environment
guard let databaseURL = environment["RESSUS_DATABASE_URL"], !databaseURL.isEmpty,
      let brokers = environment["RESSUS_KAFKA_BROKERS"], !brokers.isEmpty else {
    FileHandle.standardError.write(Data("RESSUS_DATABASE_URL and RESSUS_KAFKA_BROKERS must be set (source .local/run/env.sh)\n".utf8))
    exit(2)
}
for tool in [WrkLoad.executable, "/usr/bin/curl", "/usr/bin/pdfinfo", "/usr/bin/pdftotext"]
where !FileManager.default.isExecutableFile(atPath: tool) {
    FileHandle.standardError.write(Data("\(tool) not found: run make bootstrap (Debian packages wrk, curl, poppler-utils)\n".utf8))
    exit(2)
}

let logger = {
    var logger = Logger(label: "report-benchmark")
    logger.logLevel = .warning
    return logger
}()
let id = UUID().uuidString.prefix(8).lowercased()
let debtSchema = "report_bench_debt_\(id)", readModelSchema = "report_bench_rm_\(id)"
/// A pool as the service `service` opens it (its connection settings), on `schema`.
func pool(_ schema: String, of service: ServiceDescriptor, size: Int) throws -> PostgresPool {
    let configuration = try PostgresConfiguration(
        connectionString: databaseURL, applicationName: "report-benchmark", service: service, schema: schema)
    return PostgresPool(configuration: configuration, options: .init(size: size), logger: logger)
}
let debt = try pool(debtSchema, of: .debtCalculator, size: 2), readModel = try pool(readModelSchema, of: .reportPublisher, size: 2)
let portalPool = try pool(readModelSchema, of: .reportPublisher, size: Int(environment["RESSUS_DB_POOL_SIZE"] ?? "") ?? 4)
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-benchmark-\(id)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

func tearDown() async {
    // `--manter 1` keeps the schemas (for EXPLAIN ANALYZE of the portal's queries).
    for (pool, schema) in [(debt, debtSchema), (readModel, readModelSchema)] where !keepSchemas {
        _ = try? await pool.withConnection { try $0.executeScript("DROP SCHEMA \(schema) CASCADE") }
    }
    for pool in [debt, readModel, portalPool] { await pool.close() }
    if keepSchemas { report("kept: schemas \(debtSchema), \(readModelSchema); PDF \(directory.path)/posicao.pdf") } else {
        try? FileManager.default.removeItem(at: directory)
    }
}

report("report-benchmark: operadora \(workload.registro(0)) with \(workload.largestGRUs) GRUs and \(workload.operadoras - 1) "
    + "others with \(workload.otherGRUs) each (\(workload.perEvent) atendimentos per GRU, \(workload.atendimentoCount) in all); "
    + "\(sessions) portal sessions; schemas \(debtSchema), \(readModelSchema)")
do {
    _ = try await PostgresMigrator(schema: debtSchema, migrations: try RuntimeMigrations.with(service: DebtMigrations.all),
                                   logger: logger).migrate(using: debt)
    _ = try await PostgresMigrator(schema: readModelSchema, migrations: try RuntimeMigrations.with(service: ReportPublisherMigrations.all),
                                   logger: logger).migrate(using: readModel)
    var summary: [(String, String, String)] = []

    // 1. Read model from events.
    let seeded = try await EventSeeding(workload: workload, debt: debt, readModel: readModel, batch: options["--lote"]!,
                                        now: BusinessTimeZone.startOfDay(try CivilDate(parsing: ReportWorkload.chargeableOn))).run()
    let keepUp = seeded.readModelRate / seeded.debtEventRate
    report(String(format: "  debt calculator: %d inputs (chargeable events, payments) in %.1f s, %d events emitted: %.0f events/s",
                  seeded.debtInputs, seeded.debtSeconds, seeded.debtEvents, seeded.debtEventRate))
    report(String(format: "  read model: %d debt-topic events (chargeable + debt calculator's) in %.1f s: %.0f events/s; "
                  + "%d operadora/notification events in %.1f s", seeded.readModelEvents, seeded.readModelSeconds,
                  seeded.readModelRate, seeded.upstreamEvents, seeded.upstreamSeconds))
    report(String(format: "  read model apply rate / debt event rate: %.2f (target >= 1); time for the same work, debt / read model: %.2f",
                  keepUp, seeded.debtSeconds / seeded.readModelSeconds))
    summary.append(("read model / debt event rate", String(format: "%.2f (%.0f / %.0f events/s)", keepUp, seeded.readModelRate,
                                                           seeded.debtEventRate), keepUp >= 1 ? "met (>= 1)" : "MISSED (>= 1)"))

    // 1b. The first rounds written onto their atendimentos (`RoundCompaction`: the service's scheduler
    //     does it after the events, in its own transactions), so the portal below reads rows as they
    //     stand once it ran. Not part of the rate above; printed with it for the whole work.
    if options["--sem-compactar"] != 1 {
        let compactionStart = Date()
        let compacted = try await readModel.withTransaction { try RoundCompaction.compact(on: $0) }
        let compactionSeconds = Date().timeIntervalSince(compactionStart)
        report(String(format: "  first rounds written onto their atendimentos afterwards (scheduled): %d rows in %.1f s; "
                      + "read model with it / debt event rate: %.2f", compacted, compactionSeconds,
                      Double(seeded.readModelEvents) / (seeded.readModelSeconds + compactionSeconds) / seeded.debtEventRate))
    } else {
        report("  first rounds not written onto their atendimentos (--sem-compactar 1)")
    }

    // 2. The PDF of the large operadora, in process (what the portal's POST does).
    let referenceDate = try CivilDate(parsing: "2026-07-31")
    let pdf = try await PDFTiming(pool: readModel, root: workload.cnpjRoot(0), referenceDate: referenceDate, directory: directory)
        .run(repetitions: options["--repeticoes"]!)
    guard pdf.grus == workload.largestGRUs else { throw BenchmarkFailure("the report lists \(pdf.grus) GRUs, not \(workload.largestGRUs)") }
    report(String(format: "  PDF of %d GRUs: median %.0f ms (query %.0f ms, report + layout %.0f ms), max %.0f ms over %d runs; "
                  + "%d pages, %d KiB; total %@ found by pdftotext", pdf.grus, pdf.median, pdf.medianQuery, pdf.medianRender,
                  pdf.max, pdf.runs, pdf.pages, pdf.bytes / 1024, pdf.total))
    summary.append(("PDF, \(pdf.grus) GRUs (median / max)", String(format: "%.0f / %.0f ms", pdf.median, pdf.max),
                    pdf.max < 1000 ? "met (< 1 s)" : "MISSED (< 1 s)"))

    // 3. The portal under load, on settled tables: the seeding was a bulk load seconds before, and
    //    autovacuum would otherwise vacuum and analyze them during the load (not timed).
    if options["--apenas-pdf"] != 1 {
        _ = try await readModel.withConnection { try $0.executeScript("VACUUM ANALYZE") }
        let load = try await PortalLoad(workload: workload, database: portalPool, accountsPool: readModel, brokers: brokers,
                                        today: referenceDate, directory: directory, logger: logger)
            .run(sessions: sessions, duration: options["--duracao"]!, perPageDuration: options["--por-pagina"]!)
        report(String(format: "  portal PDF over HTTP (%d GRUs): %.0f ms", workload.largestGRUs, load.pdfSeconds * 1000))
        report(String(format: "  portal pages, %d sessions/connections, %d s: %.0f requests/s, p50 %.1f ms, p99 %.1f ms; "
                      + "%d requests, %d not 200, %d socket errors", sessions, options["--duracao"]!, load.wrk.requestsPerSecond,
                      load.wrk.p50Milliseconds, load.wrk.p99Milliseconds, load.wrk.requests, load.wrk.failures, load.wrk.socketErrors))
        for (path, wrk) in load.perPage {
            report(String(format: "    %@ alone: %.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d not 200", path, wrk.requestsPerSecond,
                          wrk.p50Milliseconds, wrk.p99Milliseconds, wrk.failures))
        }
        summary.append(("portal PDF over HTTP", String(format: "%.0f ms", load.pdfSeconds * 1000), load.pdfSeconds < 1 ? "met (< 1 s)" : "MISSED (< 1 s)"))
        summary.append(("portal p99, \(sessions) sessions", String(format: "%.1f ms (p50 %.1f ms, %.0f req/s)", load.wrk.p99Milliseconds,
                                                                 load.wrk.p50Milliseconds, load.wrk.requestsPerSecond),
                        load.wrk.p99Milliseconds < 50 && load.wrk.failures == 0 && load.wrk.socketErrors == 0 ? "met (< 50 ms)" : "MISSED (< 50 ms, all 200)"))
    }

    report("")
    let width = summary.map(\.0.count).max() ?? 0, valueWidth = summary.map(\.1.count).max() ?? 0
    for (name, value, verdict) in summary {
        report("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
               + value.padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  " + verdict)
    }
} catch {
    report("report-benchmark failed: \(error)")
    await tearDown()
    exit(1)
}
await tearDown()
