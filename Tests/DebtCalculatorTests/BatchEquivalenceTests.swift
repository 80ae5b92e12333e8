import DebtCalculatorCore
import Foundation
import Models
import Postgres
import Runtime
import Testing

/// `DebtEventHandler.handleBatch` (the inbox's batch fast path, set-based) against `handle` on each
/// event in order: the same events on two fresh schemas must leave the same charges, GRUs, payments,
/// scheduled work, outbox events (in order) and GRU sequence.
@Suite struct BatchEquivalenceTests {
    /// Everything the debt calculator's event handling writes, in a comparable form.
    struct Snapshot: Equatable {
        var charges: [String]
        var grus: [String]
        var payments: [String]
        var scheduled: [String]
        var outbox: [String]
        var sequence: String
    }

    static func snapshot(_ fixture: DebtFixture) async throws -> Snapshot {
        try await fixture.pool.withConnection { connection in
            func texts(_ sql: String) throws -> [String] { try connection.query(sql).map { try $0.decode(String.self, at: 0) } }
            return Snapshot(
                charges: try texts("SELECT to_jsonb(c)::text FROM charges c ORDER BY charge_id"),
                grus: try texts("SELECT to_jsonb(g)::text FROM grus g ORDER BY gru_number"),
                payments: try texts("SELECT (to_jsonb(p) - 'id')::text FROM payments p ORDER BY id"),
                scheduled: try texts("""
                    SELECT kind || '|' || work_key || '|' || due_at::text || '|' || payload::text || '|' || status
                    FROM scheduled_work ORDER BY id
                    """),
                outbox: try texts("""
                    SELECT event_type || '|' || topic || '|' || partition_key || '|' || convert_from(payload, 'UTF8')
                    FROM outbox ORDER BY seq
                    """),
                sequence: try texts("SELECT last_value::text || is_called::text FROM gru_sequence")[0])
        }
    }

    static func envelopes(_ events: [any DomainEvent], _ fixture: DebtFixture) throws -> [EventEnvelope] {
        try events.map { try EventEnvelope.wrapping($0, source: "/batch-tests", time: fixture.clock.now) }
    }

    /// Applies `setup` event by event, then each of `batches` in one transaction: one by one with
    /// `handle` on one schema, with one `handleBatch` on the other. Returns both snapshots.
    static func bothWays(setup: [any DomainEvent] = [], batches: [[any DomainEvent]]) async throws
        -> (oneByOne: Snapshot, batched: Snapshot) {
        var results: [Snapshot] = []
        for batched in [false, true] {
            try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
                for event in setup { try await fixture.apply(try EventEnvelope.wrapping(event, source: "/t", time: fixture.clock.now)) }
                for batch in batches {
                    let envelopes = try envelopes(batch, fixture)
                    let handler = fixture.handler, now = fixture.clock.now
                    try await fixture.pool.withTransaction { connection in
                        let context = HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now)
                        if batched {
                            try handler.handleBatch(envelopes, context: context)
                        } else {
                            for envelope in envelopes { try handler.handle(envelope, context: context) }
                        }
                    }
                }
                results.append(try await snapshot(fixture))
            }
        }
        return (results[0], results[1])
    }

    /// Charges of every kind: large (own GRU), small ones held and then covered (held earlier, an
    /// earlier chargeable date, two operadoras), annulled, a replay of a known charge (burns a GRU
    /// number) and a charge given twice in the batch, one accruing from an earlier original due date.
    static let chargeBatch: [any DomainEvent] = [
        Sample.chargeable(registro: "200002", firstDocument: 1, amounts: ["6000,00"]),
        Sample.chargeable(registro: "200001", firstDocument: 10, amounts: ["10000,00", "0"]),
        Sample.chargeable(registro: "200001", firstDocument: 20, amounts: ["30,00"]),
        Sample.chargeable(abi: 8, registro: "200001", firstDocument: 30, amounts: ["25,00", "25,00"], chargeableOn: "2026-02-20"),
        Sample.chargeable(registro: "200003", firstDocument: 40, amounts: ["20,00"]),
        Sample.chargeable(registro: "200003", firstDocument: 50, amounts: ["0"]),
        Sample.chargeable(registro: "200003", firstDocument: 40, amounts: ["20,00"]),
        Sample.chargeable(registro: "200004", firstDocument: 60, amounts: ["7000,00"], originalDue: "2026-01-15",
                          paymentDue: "2026-03-16"),
        Sample.chargeable(registro: "200003", firstDocument: 70, amounts: ["90,00"]),
        Sample.chargeable(registro: "200003", firstDocument: 80, amounts: ["15,00"]),
    ]

    static let chargeSetup: [any DomainEvent] = [
        Sample.chargeable(registro: "200001", firstDocument: 5, amounts: ["40,00"]),
        Sample.chargeable(registro: "200002", firstDocument: 1, amounts: ["6000,00"]),
    ]

    @Test func chargesInOneBatchDoWhatTheyDoOneByOne() async throws {
        let (oneByOne, batched) = try await Self.bothWays(setup: Self.chargeSetup, batches: [Self.chargeBatch])
        // Not vacuous: GRUs issued, held charges covered, one charge still held, a number burnt.
        #expect(oneByOne.grus.count == 5)
        #expect(oneByOne.charges.filter { $0.contains("\"gru_number\": null") }.count == 1)
        #expect(oneByOne.charges.count == 9)
        #expect(oneByOne.outbox.count == 3 + 11)
        #expect(oneByOne.sequence == "6true")
        #expect(batched == oneByOne)
    }

    static func payment(_ id: String, gru: Int64, _ amount: String, on date: String) -> PaymentReceived {
        PaymentReceived(paymentID: id, gruNumber: Sample.gru(gru), amount: Sample.money(amount), paidOn: Sample.date(date),
                        origin: "teste")
    }

    @Test func paymentsAndMixedRunsInOneBatchDoWhatTheyDoOneByOne() async throws {
        let setup: [any DomainEvent] = (0..<4).map {
            Sample.chargeable(registro: "300001", firstDocument: 10 * $0 + 1, amounts: ["10000,00"])
        }
        let batch: [any DomainEvent] = [
            Self.payment("A", gru: 1, "1000,00", on: "2026-03-31"),            // partial, late
            Self.payment("B", gru: 1, "20000,00", on: "2026-04-01"),           // the rest, with a credit
            Self.payment("C", gru: 2, "10000,00", on: "2026-03-10"),           // on time, whole
            Self.payment("C", gru: 2, "10000,00", on: "2026-03-10"),           // same id again: duplicate
            Self.payment("D", gru: 2, "50,00", on: "2026-03-11"),              // GRU already paid
            Self.payment("E", gru: 99, "50,00", on: "2026-03-11"),             // unknown GRU
            Self.payment("F", gru: 3, "3000,00", on: "2026-04-15"),            // partial, late
            Sample.chargeable(registro: "300002", firstDocument: 100, amounts: ["5000,00"]),  // GRU 5
            Self.payment("G", gru: 5, "5000,00", on: "2026-03-16"),            // the GRU issued in this batch
            Self.payment("H", gru: 3, "100,00", on: "2026-04-16"),
            Sample.chargeable(registro: "300002", firstDocument: 200, amounts: ["60,00"]),
        ]
        let (oneByOne, batched) = try await Self.bothWays(setup: setup, batches: [batch])
        #expect(oneByOne.payments.count == 9)
        #expect(oneByOne.scheduled.filter { $0.hasSuffix("|cancelled") }.count == 6)
        #expect(batched == oneByOne)
        // A GRU number written with blanks and dots is the same GRU, in both ways.
        let spaced = Sample.gru(4).enumerated().map { $0.offset == 7 ? " .\($0.element)" : String($0.element) }.joined()
        let again = try await Self.bothWays(setup: setup, batches: [[
            PaymentReceived(paymentID: "S", gruNumber: spaced, amount: Sample.money("10000,00"), paidOn: Sample.date("2026-03-12"),
                            origin: "teste")]])
        #expect(again.oneByOne.payments.count == 1)
        #expect(again.oneByOne.payments.allSatisfy { !$0.contains("\"gru_number\": null") })
        #expect(again.batched == again.oneByOne)
    }

    /// A bank-return file imported through the request desk (matched `paymentImportChunk` at a time
    /// with the set-based path) leaves what its payments leave as events applied one by one, with
    /// chunks that split a duplicate id and a GRU's two payments, and with the whole file in one chunk.
    @Test func aBankReturnFileDoesWhatItsPaymentsDoOneByOne() async throws {
        let setup: [any DomainEvent] = (0..<4).map {
            Sample.chargeable(registro: "300001", firstDocument: 10 * $0 + 1, amounts: ["10000,00"])
        }
        let payments: [PaymentReceived] = [
            Self.payment("A", gru: 1, "1000,00", on: "2026-03-31"),            // partial, late
            Self.payment("B", gru: 2, "10000,00", on: "2026-03-10"),           // on time, whole
            Self.payment("C", gru: 3, "3000,00", on: "2026-04-15"),            // partial, late
            Self.payment("C", gru: 3, "3000,00", on: "2026-04-15"),            // same id again: duplicate
            Self.payment("D", gru: 2, "50,00", on: "2026-03-11"),              // GRU already paid
            Self.payment("E", gru: 99, "50,00", on: "2026-03-11"),             // unknown GRU
            Self.payment("F", gru: 1, "20000,00", on: "2026-04-01"),           // the rest, with a credit
            Self.payment("G", gru: 4, "10000,00", on: "2026-03-16"),
        ]
        var oneByOne: Snapshot?
        try await DebtFixture.with(startingOn: Sample.date("2026-04-20")) { fixture in
            for event in setup { try await fixture.apply(try EventEnvelope.wrapping(event, source: "/t", time: fixture.clock.now)) }
            for payment in payments { try await fixture.apply(try EventEnvelope.wrapping(payment, source: "/t", time: fixture.clock.now)) }
            oneByOne = try await Self.snapshot(fixture)
        }
        let reference = try #require(oneByOne)
        #expect(reference.payments.count == payments.count)
        #expect(reference.grus.filter { $0.contains("\"state\": \"paga\"") }.count == 2)
        #expect(reference.scheduled.filter { $0.hasSuffix("|cancelled") }.count == 6)
        for chunk in [3, DebtSettings.standard.paymentImportChunk] {
            try await DebtFixture.with(startingOn: Sample.date("2026-04-20"), settings: { $0.paymentImportChunk = chunk }) { fixture in
                for event in setup { try await fixture.apply(try EventEnvelope.wrapping(event, source: "/t", time: fixture.clock.now)) }
                let rows = payments.enumerated().map { index, event in
                    (row: index + 2, payment: IncomingPayment(paymentID: event.paymentID, gruText: event.gruNumber,
                                                              amount: event.amount, paidOn: event.paidOn, origin: event.origin))
                }
                let outcome = try await fixture.request(.importPayments(file: "retorno.csv", rows: rows.count), payments: rows)
                #expect(outcome.accepted, "\(outcome.message)")
                #expect(outcome.result["pagamentos"] == String(payments.count))
                // Everything but the request's own scheduled item.
                var imported = try await Self.snapshot(fixture)
                imported.scheduled.removeAll { $0.hasPrefix(DebtWork.request + "|") }
                #expect(imported == reference, "chunk \(chunk)")
            }
        }
    }

    /// A redelivered batch (new envelopes of the same charges) changes nothing.
    @Test func aRedeliveredChargeBatchChangesNothing() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            let handler = fixture.handler, now = fixture.clock.now
            func applyBatch() async throws {
                let envelopes = try Self.envelopes(Self.chargeBatch, fixture)
                try await fixture.pool.withTransaction { connection in
                    try handler.handleBatch(envelopes, context: HandlerContext(
                        connection: connection, outbox: OutboxWriter(connection: connection), now: now))
                }
            }
            try await applyBatch()
            let first = try await Self.snapshot(fixture)
            #expect(!first.grus.isEmpty)
            try await applyBatch()
            var second = try await Self.snapshot(fixture)
            // Only the GRU numbers burnt by the replayed large charges, as the per-event path burns them.
            #expect(second.sequence != first.sequence)
            second.sequence = first.sequence
            #expect(second == first)
        }
    }

    /// A batch with a payment of zero throws and leaves nothing (the inbox then applies the events
    /// one by one and dead-letters that one alone).
    @Test func anInvalidPaymentFailsTheWholeBatch() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            try await fixture.apply(Sample.chargeable(registro: "300001", firstDocument: 1, amounts: ["10000,00"]))
            let before = try await Self.snapshot(fixture)
            let envelopes = try Self.envelopes([
                Self.payment("A", gru: 1, "1000,00", on: "2026-03-10"),
                Sample.chargeable(registro: "300001", firstDocument: 2, amounts: ["10000,00"]),
                Self.payment("Z", gru: 1, "0,00", on: "2026-03-10"),
            ], fixture)
            let handler = fixture.handler, now = fixture.clock.now
            await #expect(throws: InvalidPayment.self) {
                try await fixture.pool.withTransaction { connection in
                    try handler.handleBatch(envelopes, context: HandlerContext(
                        connection: connection, outbox: OutboxWriter(connection: connection), now: now))
                }
            }
            var after = try await Self.snapshot(fixture)
            // Sequences are not transactional: the GRU number drawn by the rolled-back charge stays burnt.
            #expect(after.sequence != before.sequence)
            after.sequence = before.sequence
            #expect(after == before)
        }
    }
}
