import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

/// `ReadModelHandler.handleBatch` (the inbox's batch path, set-based) against `handle` on each event
/// in order: the same envelopes on two fresh schemas, split into the same batches, must leave the
/// same `rm_*` tables.
@Suite("Read model batch equivalence", .serialized)
struct ReadModelBatchTests {
    /// Every `rm_*` table, each row as JSON, in a stable order. The history keeps each GRU's rows in
    /// `seq` order without the value itself: a batch may number two GRUs' rows in another order. A
    /// list count of 0 is the same as no row (per event, a row passes through situations a batch
    /// skips; `ListCountTests` checks the counts against the rows).
    static func snapshot(_ pool: PostgresPool) async throws -> [String: [String]] {
        try await pool.withConnection { c in
            var tables: [String: [String]] = [:]
            for table in ReportPublisherMigrations.readModelTables {
                let sql = switch table {
                case "rm_gru_history": "SELECT (to_jsonb(t) - 'seq')::text FROM rm_gru_history t ORDER BY gru_number, seq"
                case "rm_atendimento_counts", "rm_gru_counts": "SELECT to_jsonb(t)::text FROM \(table) t WHERE count <> 0 ORDER BY 1"
                default: "SELECT to_jsonb(t)::text FROM \(table) t ORDER BY 1"
                }
                tables[table] = try c.query(sql).map { try $0.decode(String.self, at: 0) }
            }
            return tables
        }
    }

    /// Applies `batches` in order, one transaction each: with `handle` on each envelope on one
    /// schema, with one `handleBatch` on another. Returns both snapshots.
    static func bothWays(_ batches: [[EventEnvelope]]) async throws -> (oneByOne: [String: [String]], batched: [String: [String]]) {
        var results: [[String: [String]]] = []
        for batched in [false, true] {
            try await Fixture.with { fixture in
                for batch in batches {
                    try await fixture.pool.withTransaction { c in
                        let context = HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date())
                        if batched {
                            try ReadModelHandler().handleBatch(batch, context: context)
                        } else {
                            for envelope in batch { try ReadModelHandler().handle(envelope, context: context) }
                        }
                    }
                }
                results.append(try await snapshot(fixture.pool))
            }
        }
        return (results[0], results[1])
    }

    static let registro = "351111"
    static let documents = (1...5).map { "36000000000\($0)0" }

    /// A second operadora's cycle written to stress the grouping: charges and GRUs interleaved (one
    /// charge held, then covered by a later GRU; one GRU before its charge), two state changes of
    /// one GRU, a state change of a GRU the read model does not know, a payment id repeated, CADIN
    /// set and cleared, a reissue with every optional field, a state change before its GRU's issue,
    /// atendimentos notified again after their charge, a chargeable atendimento without competência.
    static func stressEvents() throws -> [EventEnvelope] {
        let r = try RegistroANS(registro), abi = try ABINumber(91)
        let docs = try documents.map { try SUSDocumentNumber($0) }
        let month = try YearMonth(parsing: "2025-06")
        let (g2, g3, g4, g6) = (Events.gruNumber(602), Events.gruNumber(603), Events.gruNumber(604), Events.gruNumber(606))
        let g9 = Events.gruNumber(609)
        func charged(_ index: Int, competencia: YearMonth? = month) -> ChargedAtendimento {
            ChargedAtendimento(document: docs[index], competencia: competencia, amount: Events.money("100,00"))
        }
        func chargeable(_ index: Int, competencia: YearMonth?, outcome: ChargeableAtendimento.Outcome = .notImpugned) -> ChargeableAtendimento {
            ChargeableAtendimento(document: docs[index], competencia: competencia, outcome: outcome,
                                  originalAmount: Events.money("100,00"), finalAmount: outcome == .deferida ? .zero : Events.money("100,00"))
        }
        func charge(_ id: String, _ indexes: [Int], gru: GRUNumber?, competencia: YearMonth? = month) throws -> EventEnvelope {
            try Events.envelope(ChargeIssued(chargeID: id, abi: abi, registroANS: r, atendimentos: indexes.map { charged($0, competencia: competencia) },
                                             total: Events.money("100,00"), gruNumber: gru, accumulatedSmallCharges: .zero,
                                             issuedOn: Events.date("2026-02-10")))
        }
        func payment(_ id: String, _ gru: GRUNumber, _ amount: String) throws -> EventEnvelope {
            try Events.envelope(PaymentRecorded(paymentID: id, gruNumber: gru.value, registroANS: r, amount: Events.money(amount),
                                                paidOn: Events.date("2026-02-20"), classification: .partial,
                                                dueOnPaymentDate: Events.money("100,00"), credit: .zero))
        }
        func cadin(_ registered: Bool, on date: String) throws -> EventEnvelope {
            try Events.envelope(CADINChanged(registroANS: r, gruNumber: g2, registered: registered, effectiveOn: Events.date(date)))
        }
        func issued(_ abi: ABINumber, count: Int, total: String) throws -> EventEnvelope {
            try Events.envelope(NotificationIssued(abi: abi, registroANS: r, availableOn: Events.date("2026-01-02"), atendimentoCount: count,
                                                   totalToReimburse: Events.money(total), batchCount: 1))
        }
        func ciencia(_ abi: ABINumber, on date: String, kind: CienciaKind) throws -> EventEnvelope {
            try Events.envelope(NotificationCienciaRegistered(abi: abi, registroANS: r, cienciaOn: Events.date(date), kind: kind,
                                                              impugnacaoWindowEnd: Events.date("2026-02-11")))
        }
        let atendimentos = documents.map { Events.atendimento($0, amount: "100,00") }
        return [
            try Events.operadora(registro: registro, root: "13ABC345", name: "Saúde Lote Ltda."),
            try Events.envelope(NotificationAtendimentos(abi: abi, registroANS: r, batch: 1, atendimentos: Array(atendimentos[0..<3]))),
            // Notification headers and ciências around it: a ciência before its header, a header
            // issued twice (the second wins), a notification known only by its ciência.
            try ciencia(abi, on: "2026-01-12", kind: .explicit),
            try issued(abi, count: 3, total: "300,00"),
            try ciencia(ABINumber(92), on: "2026-01-13", kind: .tacit),
            try issued(abi, count: 5, total: "500,00"),
            try Events.envelope(AtendimentosChargeable(
                abi: abi, registroANS: r,
                atendimentos: [chargeable(0, competencia: month), chargeable(1, competencia: nil), chargeable(2, competencia: month, outcome: .deferida),
                               chargeable(0, competencia: month)],
                originalDueDate: Events.date("2026-02-24"), paymentDueDate: Events.date("2026-02-24"), chargeableOn: Events.date("2026-02-10"))),
            try Events.gruIssued(g4, registro: registro, principal: "100,00", issuedOn: "2026-02-10", dueDate: "2026-02-24", chargeIDs: ["c-91-4"]),
            try charge("c-91-1", [0], gru: nil),
            try charge("c-91-2", [1], gru: g2, competencia: nil),
            try Events.gruIssued(g2, registro: registro, principal: "100,00", issuedOn: "2026-02-10", dueDate: "2026-02-24", chargeIDs: ["c-91-2"]),
            try charge("c-91-4", [3], gru: g4),
            try Events.gruIssued(g3, registro: registro, principal: "100,00", issuedOn: "2026-02-11", dueDate: "2026-02-25", chargeIDs: ["c-91-1"]),
            try payment("q1", g2, "40,00"),
            try Events.stateChanged(g2, registro: registro, from: .emitida, to: .emitida, on: "2026-02-20", principal: "100,00",
                                    open: "60,00", paid: "40,00", accrualDate: "2026-02-24", reason: "pagamento parcial"),
            try payment("q2", g2, "60,00"),
            try Events.stateChanged(g2, registro: registro, from: .emitida, to: .paga, on: "2026-02-21", principal: "100,00",
                                    open: "0,00", paid: "100,00", accrualDate: "2026-02-24", reason: "pagamento do saldo"),
            try payment("q1", g2, "40,00"),
            try Events.stateChanged(g9, registro: registro, from: .emitida, to: .paga, on: "2026-02-21", principal: "1,00",
                                    open: "0,00", paid: "1,00", accrualDate: "2026-02-24", reason: "GRU desconhecida"),
            try cadin(true, on: "2026-03-01"),
            try cadin(false, on: "2026-03-02"),
            try Events.envelope(GRUIssued(
                gruNumber: Events.gruNumber(605), registroANS: r, purpose: .installment, chargeIDs: [], abis: [abi],
                principal: Events.money("50,00"), multa: Events.money("1,00"), juros: Events.money("2,00"), amount: Events.money("53,00"),
                issuedOn: Events.date("2026-03-05"), dueDate: Events.date("2026-03-31"), accrualDate: Events.date("2026-03-31"),
                replaces: g3, parcelamentoID: "parc-91", installment: 1, linhaDigitavel: "89610000000-0")),
            try Events.envelope(GRUStateChanged(
                gruNumber: g3, registroANS: r, previousState: .emitida, state: .suspensaJudicialmente, effectiveOn: Events.date("2026-03-06"),
                principal: Events.money("100,00"), openPrincipal: Events.money("100,00"), paidTotal: .zero, credit: .zero,
                accrualDate: Events.date("2026-02-25"), reason: "liminar", courtProcess: "0001234-56.2026.4.01.3400",
                parcelamentoID: "parc-91", replacedBy: Events.gruNumber(605))),
            // A state change before its GRU's issue: nothing, as for an unknown GRU (in topic order).
            try Events.stateChanged(g6, registro: registro, from: .emitida, to: .paga, on: "2026-03-07", principal: "10,00",
                                    open: "0,00", paid: "10,00", accrualDate: "2026-03-20", reason: "antes da emissão"),
            try Events.gruIssued(g6, registro: registro, principal: "10,00", issuedOn: "2026-03-06", dueDate: "2026-03-20"),
            try Events.envelope(NotificationAtendimentos(abi: abi, registroANS: r, batch: 2, atendimentos: Array(atendimentos[0..<5]))),
            try charge("c-91-5", [4], gru: nil),
        ]
    }

    /// Every event of both cycles (``ReadModelKafkaTests/scenario()`` with the later states of
    /// ``StoredSituationTests``, and ``stressEvents()``): in topic order, and with the stress cycle's
    /// GRUs first (before the charges and state changes they follow in topic order; their envelopes
    /// again in place, redelivered) and the other cycle's topics in reverse.
    static func allEvents() throws -> [[EventEnvelope]] {
        let scenario = try ReadModelKafkaTests.scenario()
        let later = try StoredSituationTests.laterStates(), stress = try stressEvents()
        let grusFirst: [EventEnvelope] = Array(stress.prefix(1)) + stress.reversed().filter { $0.type == GRUIssued.eventType }
            + Array(stress.dropFirst())
        let reversedTopics: [EventEnvelope] = ["debts", "deadlines", "notifications", "operadoras"].flatMap { kind in
            scenario.filter { $0.topic == kind }.map(\.envelope)
        }
        return [scenario.map(\.envelope) + later + stress, grusFirst + reversedTopics + later]
    }

    /// `events` in batches of `size`, each batch also carrying its first envelope again (a repeated
    /// id) and, from the second on, the previous batch's last envelope (a redelivery).
    static func batches(_ events: [EventEnvelope], size: Int) -> [[EventEnvelope]] {
        stride(from: 0, to: events.count, by: size).map { start in
            let batch = Array(events[start..<min(start + size, events.count)])
            return (start > 0 ? [events[start - 1]] : []) + batch + [batch[0]]
        }
    }

    @Test("handleBatch leaves the rm_* tables handle leaves, in any batch size and topic order, with duplicates")
    func batchedEqualsOneByOne() async throws {
        for (order, events) in try Self.allEvents().enumerated() {
            for size in [events.count, 7, 3] {
                let (oneByOne, batched) = try await Self.bothWays(Self.batches(events, size: size))
                // Not vacuous: both operadoras' GRUs and histories, the payments (q1 once), CADIN cleared.
                #expect(oneByOne["rm_grus"]?.count == 6)
                if order == 0 {  // GRU 501: issue + 5 changes; the others: 5 issues + 3 changes (not 606's, before its issue)
                    #expect(oneByOne["rm_gru_history"]?.count == 6 + 8)
                }
                #expect(oneByOne["rm_payments"]?.count == 3)
                #expect(oneByOne["rm_cadin"]?.filter { $0.contains("\"registered\": false") }.count == 1)
                // The stress cycle's notification 91: the second header, the explicit ciência; 92 by its ciência only.
                #expect(oneByOne["rm_notifications"]?.contains {
                    $0.contains("\"abi\": 91,") && $0.contains("\"atendimento_count\": 5,") && $0.contains("\"ciencia_kind\": \"expressa\"")
                } == true)
                #expect(oneByOne["rm_notifications"]?.contains {
                    $0.contains("\"abi\": 92,") && $0.contains("\"ciencia_kind\": \"tacita\"") && $0.contains("\"available_on\": null")
                } == true)
                #expect(oneByOne["rm_applied_events"]?.count == Set(events.map(\.id)).count)
                for table in ReportPublisherMigrations.readModelTables {
                    #expect(batched[table] == oneByOne[table], "order \(order), batches of \(size), \(table)")
                }
            }
        }
    }

    @Test("a redelivered batch changes nothing")
    func redeliveryChangesNothing() async throws {
        let events = try Self.allEvents()[0]
        try await Fixture.with { fixture in
            func applyBatch() async throws {
                try await fixture.pool.withTransaction { c in
                    try ReadModelHandler().handleBatch(events, context: HandlerContext(
                        connection: c, outbox: OutboxWriter(connection: c), now: Date()))
                }
            }
            try await applyBatch()
            let first = try await Self.snapshot(fixture.pool)
            #expect(first["rm_atendimentos"]?.count == ReadModelKafkaTests.documents.count + Self.documents.count)
            try await applyBatch()
            #expect(try await Self.snapshot(fixture.pool) == first)
        }
    }
}
