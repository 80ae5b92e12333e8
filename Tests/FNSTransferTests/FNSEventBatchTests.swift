import FNSTransferCore
import Foundation
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The FNS handler's batch path (one inbox batch, runs of one type recorded with one statement)
/// leaves exactly the tables that `handle` on each event in order leaves, also where a batch repeats
/// a notification, an atendimento, a release, a charge or a GRU with other values, and where a
/// release without competência comes before its atendimento.
@Suite struct FNSEventBatchTests {
    /// Every table the handler writes, as text, in a stable order.
    static func tables(of fixture: FNSFixture) async throws -> [String] {
        try await fixture.pool.withConnection { connection in
            var lines: [String] = []
            for table in ["notifications", "atendimentos", "impugnacoes", "released_atendimentos", "charges", "grus",
                          "gru_transitions", "settlements", "collection_months"] {
                lines += try connection.query("SELECT '\(table) ' || t::text FROM \(table) t ORDER BY 1")
                    .map { try $0.decode(String.self, at: 0) }
            }
            lines += try connection.query(
                "SELECT concat_ws(' ', kind, work_key, status, due_at) FROM scheduled_work ORDER BY kind, work_key")
                .map { try $0.decode(String.self, at: 0) }
            return lines
        }
    }

    /// The tables after `envelopes`, applied as one batch or one by one, on a fixture that first
    /// went through `before` (one by one).
    static func run(_ envelopes: [EventEnvelope], batched: Bool, startingOn start: CivilDate = Sample.date("2026-06-01"),
                    before: (FNSFixture) async throws -> Void = { _ in }) async throws -> [String] {
        var result: [String] = []
        try await FNSFixture.with(startingOn: start) { fixture in
            try await before(fixture)
            if batched {
                let handler = fixture.handler, now = fixture.clock.now
                try await fixture.pool.withTransaction { connection in
                    try handler.handleBatch(envelopes, context: HandlerContext(
                        connection: connection, outbox: OutboxWriter(connection: connection), now: now))
                }
            } else {
                for envelope in envelopes { try await fixture.apply(envelope) }
            }
            result = try await tables(of: fixture)
        }
        return result
    }

    @Test func aBatchRecordsWhatItsEventsOneByOneRecord() async throws {
        let registro = Sample.registro(), abi = try ABINumber(1)
        var events = try Cycle.events()
        // Repeats with other values, next to the original so that one statement gets both: the last
        // header, amount and release win; the first charge and GRU stay.
        events.insert(NotificationIssued(abi: abi, registroANS: registro, availableOn: Sample.date("2025-11-04"),
                                         atendimentoCount: 3, totalToReimburse: Money(centavos: 310_000), batchCount: 1), at: 1)
        events.insert(NotificationAtendimentos(abi: abi, registroANS: registro, batch: 2,
                                               atendimentos: [Cycle.atendimento(2, amount: 110_000)]), at: 3)
        let chargeable = try #require(events.firstIndex { $0 is AtendimentosChargeable })
        events.insert(AtendimentosChargeable(
            abi: abi, registroANS: registro, atendimentos: [
                ChargeableAtendimento(document: Sample.document(2), competencia: Sample.month("2025-06"), outcome: .notImpugned,
                                      originalAmount: Money(centavos: 110_000), finalAmount: Money(centavos: 110_000)),
            ], originalDueDate: Sample.date("2026-01-26"), paymentDueDate: Sample.date("2026-01-26"),
            chargeableOn: Sample.date("2026-01-11")), at: chargeable + 1)
        // After charges c1, c2 and GRUs 1, 2.
        events.insert(contentsOf: [
            Sample.charge("c1", atendimentos: [(1, 100_000)], issuedOn: "2026-01-12", gru: 1),
            Sample.charge("c3", atendimentos: [(2, 110_000)], issuedOn: "2026-01-12", gru: 3),
            Sample.charge("c3", atendimentos: [(2, 777_777)], issuedOn: "2026-01-13", gru: 3),
            Sample.gruIssued(1, principal: 999_999, issuedOn: "2026-01-12"),
            Sample.gruIssued(3, principal: 110_000, issuedOn: "2026-01-12"),
            Sample.gruIssued(3, principal: 888_888, issuedOn: "2026-01-13"),
        ] as [any DomainEvent], at: chargeable + 6)
        // A release from before events carried the competência, ahead of its atendimento: one by one
        // it finds no competência to look up.
        let second = try #require(events.lastIndex { $0 is NotificationAtendimentos })
        events.insert(AtendimentosChargeable(
            abi: try ABINumber(2), registroANS: registro, atendimentos: [
                ChargeableAtendimento(document: Sample.document(4), competencia: nil, outcome: .notImpugned,
                                      originalAmount: Money(centavos: 25_000), finalAmount: Money(centavos: 25_000)),
            ], originalDueDate: Sample.date("2026-02-16"), paymentDueDate: Sample.date("2026-02-16"),
            chargeableOn: Sample.date("2026-01-30")), at: second)
        let time = FNSFixture.at(Sample.date("2026-06-01"))
        let envelopes = try events.map { try EventEnvelope.wrapping($0, source: "/fns-tests", time: time) }

        let oneByOne = try await Self.run(envelopes, batched: false)
        let batched = try await Self.run(envelopes, batched: true)
        #expect(batched == oneByOne)
        // What one by one recorded is what the events say.
        #expect(oneByOne.contains { $0.hasPrefix("notifications (1,") && $0.contains("310000") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("atendimentos (") && $0.contains("110000") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("released_atendimentos (") && $0.contains("2026-01-11") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("grus (") && $0.contains("200000") }, "\(oneByOne)")
        #expect(!oneByOne.contains { $0.contains("999999") || $0.contains("777777") || $0.contains("888888") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("grus (") && $0.contains("110000") }, "\(oneByOne)")
        #expect(oneByOne.filter { $0.hasPrefix("charges (") }.count == 3, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("released_atendimentos (\(Sample.document(4).value),") && $0.hasSuffix(",\"\")") },
                "\(oneByOne)")
    }

    /// Payments and GRU state changes after two months were transferred: a late payment (a
    /// complementary repasse), a new month (its regular repasse), a payment id repeated with other
    /// values (the first stays), a payment before its GRU is issued (not an installment, one by
    /// one), two state changes of one GRU and counted transitions (the principal open before).
    /// Batched, the GRU issued after its payment and the second state change start new segments;
    /// recording them with the segment before differs.
    @Test func paymentsAndStateChangesInABatchRecordWhatTheyRecordOneByOne() async throws {
        let events: [any DomainEvent] = [
            Sample.settled("p4", gru: 2, paidOn: "2026-02-20", principal: 10_000),
            Sample.settled("p4", gru: 2, paidOn: "2026-02-21", principal: 99_999),
            Sample.stateChanged(2, from: .inscritaEmDividaAtiva, to: .parcelada, on: "2026-05-04", principal: 50_000, openAfter: 0),
            Sample.settled("p5", gru: 20, paidOn: "2026-05-05", principal: 40_000),
            Sample.gruIssued(20, purpose: .installment, principal: 40_000, issuedOn: "2026-05-01"),
            Sample.settled("p6", gru: 20, paidOn: "2026-05-06", principal: 1_000),
            Sample.settled("p4", gru: 2, paidOn: "2026-02-20", principal: 10_000),
            Sample.stateChanged(20, from: .emitida, to: .paga, on: "2026-05-06", principal: 40_000, openAfter: 0),
            Sample.stateChanged(20, from: .paga, to: .suspensaJudicialmente, on: "2026-05-07", principal: 40_000, openAfter: 0),
            Sample.settled("p7", gru: 1, paidOn: "2026-05-07", principal: 20_000, juros: 150),
        ]
        let time = FNSFixture.at(Sample.date("2026-05-08"))
        let envelopes = try events.map { try EventEnvelope.wrapping($0, source: "/fns-tests", time: time) }
        // The same cycle (the same event ids) before both.
        let cycleEnvelopes = try Cycle.events().map {
            try EventEnvelope.wrapping($0, source: "/fns-tests", time: FNSFixture.at(Sample.date("2026-01-01")))
        }
        let cycle: (FNSFixture) async throws -> Void = { fixture in
            for envelope in cycleEnvelopes { try await fixture.apply(envelope) }
            try await fixture.advance(to: Sample.date("2026-04-30"))
            try await fixture.advance(to: Sample.date("2026-05-08"))
        }

        let oneByOne = try await Self.run(envelopes, batched: false, startingOn: Sample.date("2026-01-01"), before: cycle)
        let batched = try await Self.run(envelopes, batched: true, startingOn: Sample.date("2026-01-01"), before: cycle)
        #expect(batched == oneByOne)
        // What one by one recorded is what the events say.
        #expect(oneByOne.contains { $0.hasPrefix("settlements (p5,") && $0.contains(",f,") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("settlements (p6,") && $0.contains(",t,") }, "\(oneByOne)")
        #expect(oneByOne.filter { $0.hasPrefix("settlements (p4,") }.count == 1, "\(oneByOne)")
        #expect(!oneByOne.contains { $0.contains("99999") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("gru_transitions (") && $0.contains("parcelada,2026-05-04,50000,") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("gru_transitions (") && $0.contains("suspensa_judicialmente,2026-05-07,0,") },
                "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("fns.repasse 2026-05 pending") }, "\(oneByOne)")
        #expect(oneByOne.contains { $0.hasPrefix("fns.repasse-complementar 2026-02@") && $0.contains("pending") }, "\(oneByOne)")
    }
}
