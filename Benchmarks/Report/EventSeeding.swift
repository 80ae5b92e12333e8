import BenchmarkSupport
import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import ReportPublisherCore
import Runtime

/// What seeding measured: the debt calculator producing the debt events, and the read model
/// applying them (with the chargeable events it also consumes).
struct SeedMeasurement {
    /// Chargeable events and payments the debt calculator handled, its wall time and the events
    /// it appended to its outbox.
    var debtInputs = 0, debtSeconds = 0.0, debtEvents = 0
    /// Operadora and notification events applied before the timed part (not debt events).
    var upstreamEvents = 0, upstreamSeconds = 0.0
    /// Debt-topic events (chargeable inputs + the debt calculator's outbox) applied by the read model.
    var readModelEvents = 0, readModelSeconds = 0.0

    var debtEventRate: Double { Double(debtEvents) / debtSeconds }
    var readModelRate: Double { Double(readModelEvents) / readModelSeconds }
}

/// Seeds the report publisher's read model the way production does: the debt calculator's real
/// handler (`DebtEventHandler`) charges the workload and takes payments into a debt schema; its
/// outbox (the events it would publish on `ressus.debts`) is read back and applied, together with
/// the chargeable events and the operadoras' notifications, through the read model's real handler
/// (`ReadModelHandler`), in transactions of `batch` events on both sides (by default the inbox
/// consumer's, `InboxConsumerOptions().batchSize`, as `RESSUS_CONSUMER_BATCH_SIZE` leaves it).
struct EventSeeding {
    let workload: ReportWorkload
    let debt: PostgresPool
    let readModel: PostgresPool
    let batch: Int
    let now: Date

    func run() async throws -> SeedMeasurement {
        var measurement = SeedMeasurement()
        let charges = try (0..<workload.eventCount).map { try envelope(workload.chargeable($0)) }

        // 1. The debt calculator: charging, then payments of every fourth GRU (alternately the whole
        //    principal on the due date and a tenth of it 15 days late), as in debt-benchmark.
        let debtHandler = DebtEventHandler()
        let chargeSeconds = try await seconds { try await apply(charges, with: debtHandler, on: debt) }
        let grus = try await debt.withConnection {
            try $0.query("SELECT gru_number, principal FROM grus ORDER BY gru_number").map {
                (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1))
            }
        }
        guard grus.count == workload.eventCount else {
            throw BenchmarkFailure("the debt calculator issued \(grus.count) GRUs for \(workload.eventCount) chargeable events")
        }
        let payments = try stride(from: 0, to: grus.count, by: 4).map { index in
            let (gru, principal) = grus[index]
            let full = index % 8 == 0
            return try envelope(PaymentReceived(
                paymentID: "REPORT-BENCH-\(index)", gruNumber: gru, amount: Money(centavos: full ? principal : principal / 10),
                paidOn: try CivilDate(parsing: full ? ReportWorkload.dueOn : "2026-03-31"), origin: "benchmark"))
        }
        let paymentSeconds = try await seconds { try await apply(payments, with: debtHandler, on: debt) }
        let debtOutput = try await outbox(of: debt)
        measurement.debtInputs = charges.count + payments.count
        measurement.debtSeconds = chargeSeconds + paymentSeconds
        measurement.debtEvents = debtOutput.count

        // 2. The read model: operadoras and notifications first (other topics), then the debt topic.
        // As the service runs it: behind its inbox, which is the runtime's and not measured here.
        let handler = ReadModelHandler(idempotency: .inbox)
        let upstream = try (0..<workload.operadoras).map { try envelope(workload.registered($0)) }
            + (0..<workload.operadoras).flatMap { try workload.notifications(of: $0).map(envelope) }
        measurement.upstreamEvents = upstream.count
        measurement.upstreamSeconds = try await seconds { try await apply(upstream, with: handler, on: readModel) }
        let debtTopic = charges + debtOutput
        measurement.readModelEvents = debtTopic.count
        measurement.readModelSeconds = try await seconds { try await apply(debtTopic, with: handler, on: readModel) }
        return measurement
    }

    private func envelope(_ event: any DomainEvent) throws -> EventEnvelope {
        try EventEnvelope.wrapping(event, source: "/report-benchmark", time: now)
    }

    /// Applies `events` in order, `batch` per transaction, as the inbox consumer's batch path does.
    private func apply(_ events: [EventEnvelope], with handler: some EventHandler, on pool: PostgresPool) async throws {
        let now = self.now
        for start in stride(from: 0, to: events.count, by: batch) {
            let slice = Array(events[start..<min(start + batch, events.count)])
            try await pool.withTransaction { connection in
                try handler.handleBatch(slice, context: HandlerContext(
                    connection: connection, outbox: OutboxWriter(connection: connection), now: now))
            }
        }
    }

    /// The events in `pool`'s outbox, in publication order, as the relay would send them.
    private func outbox(of pool: PostgresPool) async throws -> [EventEnvelope] {
        let now = self.now
        return try await pool.withConnection { c in
            try c.query("SELECT event_id, event_type, partition_key, payload FROM outbox ORDER BY seq").map { row in
                let typeText = try row.decode(String.self, at: 1)
                guard let type = EventType(rendered: typeText) else { throw BenchmarkFailure("bad event type \(typeText)") }
                return EventEnvelope(id: try row.decode(UUID.self, at: 0), type: type, source: "/ressus/debt-calculator",
                                     time: now, partitionKey: try row.decode(String.self, at: 2),
                                     payload: Data(try row.decode([UInt8].self, at: 3)))
            }
        }
    }
}
