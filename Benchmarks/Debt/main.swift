import BenchmarkSupport
import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import Runtime

// debt-benchmark: the debt calculator's handlers in process against the local PostgreSQL (the inbox
// and the relay are the runtime's, measured by runtime-benchmark):
//   1. charging N chargeable atendimentos (events of K atendimentos; the largest operadora gets
//      G events, so G GRUs) — atendimentos/s against `psql \copy` of the same N rows, and the
//      charging's database floor: the rows it left reloaded by psql alone (ReloadFloor);
//   2. applying M payments (PaymentReceived, partial and late: acréscimos and the split) —
//      payments/s against `psql \copy` of the same M rows;
//   2b. a bank-return file of F payments imported through the request desk (as `ressus pagamentos
//      importar` does) and matched when the scheduler fires it: one payment at a time
//      (`paymentImportChunk` 1, as before the chunks) and in chunks (the default), alternately,
//      twice each — payments/s of each and their ratio;
//   3. the as-of position of the largest operadora (G GRUs), best and median of 5 runs.
// Usage: debt-benchmark [--atendimentos N] [--pagamentos M] [--arquivo F] [--por-evento K] [--grus-maior G]

func option(_ name: String, _ fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else {
        return fallback
    }
    return value
}

let atendimentos = option("--atendimentos", 1_000_000)
let payments = option("--pagamentos", 100_000)
let filePayments = option("--arquivo", 10_000)
let perEvent = option("--por-evento", 50)
let largest = option("--grus-maior", 10_000)
guard let databaseURL = ProcessInfo.processInfo.environment["RESSUS_DATABASE_URL"], !databaseURL.isEmpty else {
    report("RESSUS_DATABASE_URL is not set (source .local/run/env.sh)")
    exit(2)
}
var logger = Logger(label: "debt-benchmark")
logger.logLevel = .warning
let schema = "debt_bench_\(UUID().uuidString.prefix(8).lowercased())"
let pool = PostgresPool(
    configuration: try PostgresConfiguration(connectionString: databaseURL, applicationName: "debt-benchmark", schema: schema),
    options: .init(size: 2), logger: logger)
_ = try await PostgresMigrator(schema: schema, migrations: try RuntimeMigrations.with(service: DebtMigrations.all), logger: logger)
    .migrate(using: pool)

let workload = Workload(atendimentos: atendimentos, perEvent: perEvent, largest: largest)
report("debt-benchmark: \(atendimentos) atendimentos in \(workload.eventCount) events (\(perEvent) each), "
    + "largest operadora \(workload.largestEvents) GRUs, \(payments) payments; schema \(schema)")
do {
    let handler = DebtEventHandler()
    let now = BusinessTimeZone.startOfDay(try CivilDate(parsing: "2026-03-02"))

    // 1. Charging. The input envelopes are built first: encoding them is the producer's work.
    let inputs = try (0..<workload.eventCount).map {
        try EventEnvelope.wrapping(try workload.event($0), source: "/debt-benchmark", time: now)
    }
    let chargeSeconds = try await seconds {
        for start in stride(from: 0, to: workload.eventCount, by: 100) {
            let envelopes = Array(inputs[start..<min(start + 100, workload.eventCount)])
            try await pool.withTransaction { connection in
                let context = HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now)
                try handler.handleBatch(envelopes, context: context)
            }
        }
    }
    let gruNumbers = try await pool.withConnection {
        try $0.query("SELECT gru_number, principal FROM grus ORDER BY gru_number").map {
            (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1))
        }
    }
    // The database floor of the charging: what it left in the schema, reloaded by psql alone
    // (before the ceiling's table is created there; the schema's seeded reference rows are in it).
    let chargeFloor = try await ReloadFloor.measure(
        databaseURL: databaseURL, schemas: [schema], directory: FileManager.default.temporaryDirectory)
    let chargeCopy = try await PsqlCopy.measure(
        databaseURL: databaseURL, schema: schema, table: "atendimento_rows",
        columns: "document text, abi integer, registro_ans text, amount bigint",
        rows: atendimentos) { "\(workload.document($0))\t\($0 / perEvent % 1000 + 1)\t\(workload.registro(event: $0 / perEvent))\t\(workload.amount($0))\n" }
    report(String(format: "  charging: %.0f atendimentos/s (%.0f events/s, %d GRUs) in %.1f s; psql \\copy of the same rows: %.0f rows/s; ratio %.3f (target >= 0.35)",
                  Double(atendimentos) / chargeSeconds, Double(workload.eventCount) / chargeSeconds, gruNumbers.count,
                  chargeSeconds, chargeCopy, Double(atendimentos) / chargeSeconds / chargeCopy))
    let floorRate = Double(atendimentos) / chargeFloor.seconds
    report(String(format: "  charging's database floor (the %d rows it left in %d tables, reloaded by psql): %.1f s, %.0f atendimentos/s, "
                  + "ratio to psql \\copy %.3f; charging / floor %.3f",
                  chargeFloor.rows, chargeFloor.tables, chargeFloor.seconds, floorRate, floorRate / chargeCopy,
                  Double(atendimentos) / chargeSeconds / floorRate))
    report("    slowest tables to reload: \(chargeFloor.slowestTables(3))")

    // 2. Payments: a tenth of the principal each, 15 days late (multa 4,95%): partial payments.
    let paidOn = try CivilDate(parsing: "2026-03-31")
    let paymentInputs = try (0..<payments).map { index in
        let (gru, principal) = gruNumbers[index % gruNumbers.count]
        return try EventEnvelope.wrapping(PaymentReceived(
            paymentID: "BENCH-\(index)", gruNumber: gru, amount: Money(centavos: principal / 10), paidOn: paidOn,
            origin: "benchmark"), source: "/debt-benchmark", time: now)
    }
    let paymentSeconds = try await seconds {
        for start in stride(from: 0, to: payments, by: 500) {
            let envelopes = Array(paymentInputs[start..<min(start + 500, payments)])
            try await pool.withTransaction { connection in
                let context = HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now)
                try handler.handleBatch(envelopes, context: context)
            }
        }
    }
    let paymentCopy = try await PsqlCopy.measure(
        databaseURL: databaseURL, schema: schema, table: "payment_rows",
        columns: "payment_id text, gru text, amount bigint, paid_on date", rows: payments) {
            "BENCH-\($0)\t\(gruNumbers[$0 % gruNumbers.count].0)\t\(gruNumbers[$0 % gruNumbers.count].1 / 10)\t2026-03-31\n"
        }
    report(String(format: "  payments: %.0f payments/s in %.1f s; psql \\copy of the same rows: %.0f rows/s; ratio %.3f",
                  Double(payments) / paymentSeconds, paymentSeconds, paymentCopy, Double(payments) / paymentSeconds / paymentCopy))

    // 2b. Bank-return files: one payment at a time against chunks, alternately.
    var fileRates: [Int: [Double]] = [:]
    for round in 0..<2 {
        for chunk in [1, DebtSettings.standard.paymentImportChunk] {
            fileRates[chunk, default: []].append(try await PaymentFileBenchmark.run(
                count: filePayments, chunk: chunk, label: "FILE-\(round)-\(chunk)",
                grus: gruNumbers.map { (number: $0.0, principal: $0.1) }, paidOn: paidOn, now: now, pool: pool, logger: logger))
        }
    }
    let oneAtATime = fileRates[1]!, chunked = fileRates[DebtSettings.standard.paymentImportChunk]!
    report(String(format: "  bank-return file of %d payments: one at a time %.0f / %.0f payments/s, in chunks of %d %.0f / %.0f payments/s; ratio %.2f",
                  filePayments, oneAtATime[0], oneAtATime[1], DebtSettings.standard.paymentImportChunk, chunked[0], chunked[1],
                  (chunked[0] + chunked[1]) / (oneAtATime[0] + oneAtATime[1])))

    // 3. As-of position of the largest operadora.
    let registro = try RegistroANS(workload.registro(event: 0))
    let asOf = try CivilDate(parsing: "2026-07-31")
    var timings: [Double] = []
    var count = 0
    for _ in 0..<5 {
        timings.append(try await seconds {
            let position = try await pool.withConnection { try DebtPosition.compute(registroANS: registro, asOf: asOf, on: $0) }
            count = position.grus.count
        } * 1000)
    }
    timings.sort()
    report(String(format: "  position of %@ (%d GRUs) as of %@: best %.1f ms, median %.1f ms (target < 200 ms)",
                  registro.value, count, asOf.description, timings[0], timings[2]))
} catch {
    report("debt-benchmark failed: \(error)")
}
_ = try? await pool.withConnection { try $0.executeScript("DROP SCHEMA \(schema) CASCADE") }
await pool.close()
