import BenchmarkSupport
import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import Runtime

/// A bank-return file of payments imported as the CLI does (`DebtRequests.submit`) and matched when
/// the scheduler fires the request, with `DebtSettings.paymentImportChunk` payments at a time.
enum PaymentFileBenchmark {
    /// Imports a file of `count` partial payments (a twentieth of the principal each, on `paidOn`) over
    /// `grus`, ids prefixed by `label`, and returns payments/s of the firing alone.
    static func run(count: Int, chunk: Int, label: String, grus: [(number: String, principal: Int64)], paidOn: CivilDate,
                    now: Date, pool: PostgresPool, logger: Logger) async throws -> Double {
        let rows = (0..<count).map { index in
            let gru = grus[index % grus.count]
            return (row: index + 2, payment: IncomingPayment(
                paymentID: "\(label)-\(index)", gruText: gru.number, amount: Money(centavos: gru.principal / 20),
                paidOn: paidOn, origin: "benchmark"))
        }
        let request = try await pool.withTransaction {
            try DebtRequests.submit(.importPayments(file: "\(label).csv", rows: count), payments: rows, on: $0)
        }
        var settings = DebtSettings.standard
        settings.paymentImportChunk = chunk
        let worker = SchedulerWorker(
            database: pool, clock: SimulatedClock(startingAt: now), handlers: DebtCalculatorCore.scheduledHandlers(settings: settings),
            serviceName: "debt-benchmark", logger: logger)
        let began = ContinuousClock.now
        _ = try await worker.fireDue()
        let elapsed = (ContinuousClock.now - began).seconds
        let outcome = try await pool.withConnection { try OperatorRequestDesk.outcome(of: request, DebtRequest.self, on: $0) }
        guard let outcome, outcome.accepted, outcome.result["pagamentos"] == String(count) else {
            throw BenchmarkFailure("file \(label): \(outcome.map(\.message) ?? "not decided")")
        }
        return Double(count) / elapsed
    }
}
