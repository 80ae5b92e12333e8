import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

/// The portal's list totals come from counts kept by triggers (migration 105) and by the statement
/// recording chargeable rounds (migration 110); they must always equal the rows they count
/// (per situation, and per charge for the charges' triggers), whatever statement changed them: per
/// event, per batch, a rebuild.
@Suite("Portal list counts", .serialized)
struct ListCountTests {
    /// Every difference between the kept counts and a count of the rows (empty when they agree).
    static func differences(on c: PostgresConnection) throws -> [String] {
        let atendimentos = try c.query("""
            SELECT coalesce(k.registro_ans, r.registro_ans) || ' ' || coalesce(k.abi, r.abi) || ' ' || coalesce(k.kind, r.kind)
                || ' ' || coalesce(k.situation, r.situation) || ': kept ' || coalesce(k.count, 0) || ', rows ' || coalesce(r.count, 0)
            FROM (SELECT * FROM rm_atendimento_counts WHERE count <> 0) k
            FULL JOIN (SELECT registro_ans, abi, coalesce(kind, '') AS kind, \(ReadModelQueries.situation(of: "a")) AS situation,
                              count(*) AS count
                       FROM rm_atendimentos a GROUP BY 1, 2, 3, 4) r
                USING (registro_ans, abi, kind, situation)
            WHERE k.count IS DISTINCT FROM r.count
            """).map { try $0.decode(String.self, at: 0) }
        let grus = try c.query("""
            SELECT coalesce(k.registro_ans, r.registro_ans) || ': kept ' || coalesce(k.count, 0) || ', rows ' || coalesce(r.count, 0)
            FROM (SELECT * FROM rm_gru_counts WHERE count <> 0) k
            FULL JOIN (SELECT registro_ans, count(*) AS count FROM rm_grus GROUP BY 1) r USING (registro_ans)
            WHERE k.count IS DISTINCT FROM r.count
            """).map { "GRUs " + (try $0.decode(String.self, at: 0)) }
        let perCharge = try c.query("""
            SELECT coalesce(k.charge_id, r.charge_id) || ' ' || coalesce(k.abi, r.abi) || ' ' || coalesce(k.kind, r.kind)
                || ': kept ' || coalesce(k.count, 0) || ', rows ' || coalesce(r.count, 0)
            FROM (SELECT * FROM rm_charge_atendimento_counts WHERE count <> 0) k
            FULL JOIN (SELECT charge_id, abi, kind, count(*) AS count
                       FROM (SELECT \(ReadModelQueries.charge(of: "a")) AS charge_id, abi, coalesce(kind, '') AS kind
                             FROM rm_atendimentos a) a
                       WHERE charge_id IS NOT NULL GROUP BY 1, 2, 3) r
                USING (charge_id, abi, kind)
            WHERE k.count IS DISTINCT FROM r.count
            """).map { "charge " + (try $0.decode(String.self, at: 0)) }
        return atendimentos + grus + perCharge
    }

    /// The whole cycle of the read-model scenario, plus the later GRU states, in three topic orders.
    static func orders() throws -> [[EventEnvelope]] {
        let scenario = try ReadModelKafkaTests.scenario()
        let more = try StoredSituationTests.laterStates()
        return [["operadoras", "notifications", "deadlines", "debts"], ["debts", "deadlines", "notifications", "operadoras"],
                ["deadlines", "operadoras", "debts", "notifications"]].map { order in
            order.flatMap { kind in scenario.filter { $0.topic == kind }.map(\.envelope) } + more
        }
    }

    @Test("the kept counts equal the rows after every event, in any topic order")
    func countsFollowEveryEvent() async throws {
        for events in try Self.orders() {
            try await Fixture.with { fixture in
                for (index, event) in events.enumerated() {
                    try await fixture.apply([event])
                    let differences = try await fixture.pool.withConnection { try Self.differences(on: $0) }
                    #expect(differences.isEmpty, "event \(index) (\(event.type)): \(differences)")
                }
                // The scenario did put rows in both tables (the check above compared something).
                let kept = try await fixture.pool.withConnection { c in
                    (try c.query("SELECT coalesce(sum(count), 0)::bigint FROM rm_atendimento_counts")[0].decode(Int.self, at: 0),
                     try c.query("SELECT coalesce(sum(count), 0)::bigint FROM rm_gru_counts")[0].decode(Int.self, at: 0))
                }
                #expect(kept.0 == ReadModelKafkaTests.documents.count && kept.1 > 0, "\(kept)")
            }
        }
    }

    @Test("the kept counts equal the rows after batches, and a rebuild's TRUNCATE empties them")
    func countsFollowBatchesAndTruncate() async throws {
        let events = try Self.orders()[1]
        try await Fixture.with { fixture in
            try await fixture.pool.withTransaction { c in
                let context = HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date())
                try ReadModelHandler().handleBatch(events, context: context)
            }
            #expect(try await fixture.pool.withConnection { try Self.differences(on: $0) } == [])
            try await fixture.pool.withConnection { c in
                try c.executeScript("TRUNCATE " + ReportPublisherMigrations.readModelTables.joined(separator: ", "))
                #expect(try c.query("SELECT count(*) FROM rm_atendimento_counts")[0].decode(Int.self, at: 0) == 0)
                #expect(try c.query("SELECT count(*) FROM rm_gru_counts")[0].decode(Int.self, at: 0) == 0)
            }
        }
    }

    @Test("the list totals read from the counts equal a count of the matching rows, for every filter")
    func totalsMatchTheRows() async throws {
        try await Fixture.with { fixture in
            try await fixture.apply(try Self.orders()[0])
            try await fixture.pool.withConnection { c in
                let registro = ReadModelKafkaTests.registro
                var filters: [AtendimentoFilter] = []
                for abi in [nil, 90, 91] as [Int?] {
                    for kind in [nil, "AIH", "APAC"] as [String?] {
                        for situation in [nil] + AtendimentoSituation.allCases { filters.append(AtendimentoFilter(abi: abi, kind: kind, situation: situation)) }
                    }
                }
                filters.append(AtendimentoFilter(document: ReadModelKafkaTests.documents[0]))
                var nonZero = 0
                for filter in filters {
                    let direct = try c.query("""
                        SELECT count(*) FROM rm_atendimentos a WHERE registro_ans = $1 AND ($2::integer IS NULL OR abi = $2)
                            AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR \(ReadModelQueries.situation(of: "a")) = $4)
                            AND ($5::text IS NULL OR document = $5)
                        """, [registro, filter.abi, filter.kind, filter.situation?.rawValue, filter.document])[0].decode(Int.self, at: 0)
                    let page = try ReadModelQueries.atendimentos(of: registro, filter: filter, limit: 1000, offset: 0, on: c)
                    #expect(page.total == direct, "\(filter)")
                    #expect(page.rows.count == direct, "\(filter)")
                    if direct > 0 { nonZero += 1 }
                }
                #expect(nonZero > 3)
                #expect(try ReadModelQueries.gruCount(of: registro, on: c)
                        == (try c.query("SELECT count(*) FROM rm_grus WHERE registro_ans = $1", [registro])[0].decode(Int.self, at: 0)))
                #expect(try ReadModelQueries.gruCount(of: "999999", on: c) == 0)
            }
        }
    }

    @Test("every page equals its slice of the whole list, read from either end")
    func pagesFromEitherEnd() async throws {
        let registro = ReadModelKafkaTests.registro
        let grus = try (0..<7).map { i in
            try Events.gruIssued(Events.gruNumber(900 + Int64(i)), registro: registro, principal: "100,00",
                                 issuedOn: "2026-03-0\(1 + i / 2)", dueDate: "2026-03-20")
        }
        try await Fixture.with { fixture in
            try await fixture.apply(try Self.orders()[0] + grus)
            try await fixture.pool.withConnection { c in
                let allGRUs = try ReadModelQueries.gruPage(of: registro, limit: 1000, offset: 0, on: c)
                let allAtendimentos = try ReadModelQueries.atendimentos(of: registro, filter: AtendimentoFilter(), limit: 1000,
                                                                        offset: 0, on: c)
                #expect(allGRUs.rows.count == allGRUs.total && allGRUs.total == 8)
                #expect(allAtendimentos.rows.count == ReadModelKafkaTests.documents.count)
                for size in 1...4 {
                    for offset in stride(from: 0, through: 9, by: size) {
                        let grus = try ReadModelQueries.gruPage(of: registro, limit: size, offset: offset, on: c)
                        #expect(grus.rows.map(\.number) == Array(allGRUs.rows.dropFirst(offset).prefix(size)).map(\.number),
                                "GRUs, size \(size), offset \(offset)")
                        let atendimentos = try ReadModelQueries.atendimentos(of: registro, filter: AtendimentoFilter(), limit: size,
                                                                             offset: offset, on: c)
                        #expect(atendimentos.rows == Array(allAtendimentos.rows.dropFirst(offset).prefix(size)),
                                "atendimentos, size \(size), offset \(offset)")
                    }
                }
                // Newest first, as the list shows them.
                #expect(allGRUs.rows.map(\.issuedOn) == allGRUs.rows.map(\.issuedOn).sorted(by: >))
            }
        }
        // The last page of 10,000 is the first 50 of the reverse order; the middle one still forward.
        let last = ReadModelQueries.PageWindow(limit: 50, offset: 9_950, total: 10_000)
        #expect(last.reversed && last.offset == 0 && last.limit == 50)
        let middle = ReadModelQueries.PageWindow(limit: 50, offset: 4_950, total: 10_000)
        #expect(!middle.reversed && middle.offset == 4_950)
        #expect(ReadModelQueries.PageWindow(limit: 50, offset: 10_000, total: 10_000).limit == 0)
    }

    /// Five ABIs of one operadora, atendimentos AIH and APAC, one ABI left out of a charge and one
    /// ABI's GRU paid: situations spread unevenly over the ABIs, as the page's ABI span must handle.
    static func spreadEvents(registro: String) throws -> [EventEnvelope] {
        let r = try RegistroANS(registro), month = try YearMonth(parsing: "2025-06")
        var events = [try Events.operadora(registro: registro, root: "15ABC345", name: "Saúde Páginas Ltda.")]
        for abi in [3, 5, 6, 8, 9] {
            let documents = (1...(abi + 1)).map { String(format: "38%02d0000%04d0", abi, $0) }
            let records = documents.enumerated().map { Events.atendimento($1, amount: "100,00", kind: $0 % 3 == 0 ? .apac : .aih) }
            events.append(try Events.envelope(NotificationAtendimentos(abi: try ABINumber(abi), registroANS: r, batch: 1,
                                                                       atendimentos: records)))
            guard abi != 6 else { continue }
            let docs = try documents.map { try SUSDocumentNumber($0) }
            events.append(try Events.envelope(AtendimentosChargeable(
                abi: try ABINumber(abi), registroANS: r,
                atendimentos: docs.map { ChargeableAtendimento(document: $0, competencia: month, outcome: .notImpugned,
                                                               originalAmount: Events.money("100,00"), finalAmount: Events.money("100,00")) },
                originalDueDate: Events.date("2026-02-24"), paymentDueDate: Events.date("2026-02-24"), chargeableOn: Events.date("2026-02-10"))))
            guard abi != 9 else { continue }
            // Every other atendimento charged (the rest stay chargeable), each charge with its GRU.
            let gru = Events.gruNumber(800 + Int64(abi))
            let charged = docs.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            events.append(try Events.envelope(ChargeIssued(
                chargeID: "c-pages-\(abi)", abi: try ABINumber(abi), registroANS: r,
                atendimentos: charged.map { ChargedAtendimento(document: $0, competencia: month, amount: Events.money("100,00")) },
                total: Events.money("100,00"), gruNumber: gru, accumulatedSmallCharges: .zero, issuedOn: Events.date("2026-02-10"))))
            events.append(try Events.gruIssued(gru, registro: registro, abi: abi, principal: "100,00", issuedOn: "2026-02-10",
                                               dueDate: "2026-02-24", chargeIDs: ["c-pages-\(abi)"]))
            if abi == 5 {
                events.append(try Events.stateChanged(gru, registro: registro, from: .emitida, to: .paga, on: "2026-02-20",
                                                      principal: "100,00", open: "0,00", paid: "100,00", accrualDate: "2026-02-24",
                                                      reason: "pagamento"))
            }
        }
        return events
    }

    @Test("every page of a filtered list over several ABIs equals its slice of the whole list, from either end")
    func filteredPagesOverSeveralABIs() async throws {
        let registro = "353333"
        try await Fixture.with { fixture in
            try await fixture.apply(try Self.spreadEvents(registro: registro))
            try await fixture.pool.withConnection { c in
                let filters = [AtendimentoFilter(), AtendimentoFilter(situation: .pago), AtendimentoFilter(situation: .cobravel),
                               AtendimentoFilter(situation: .notificado), AtendimentoFilter(kind: "APAC"),
                               AtendimentoFilter(kind: "AIH", situation: .cobrado), AtendimentoFilter(abi: 8, situation: .cobrado)]
                var sizes: Set<Int> = []
                for filter in filters {
                    // The whole list, read here without the portal's query (the list's order).
                    let all = try c.query("""
                        SELECT document, abi FROM rm_atendimentos a WHERE registro_ans = $1
                            AND ($2::integer IS NULL OR abi = $2) AND ($3::text IS NULL OR kind = $3)
                            AND ($4::text IS NULL OR \(ReadModelQueries.situation(of: "a")) = $4)
                        ORDER BY abi DESC, document, competencia
                        """, [registro, filter.abi, filter.kind, filter.situation?.rawValue]).map {
                        "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int.self, at: 1))"
                    }
                    sizes.insert(all.count)
                    for size in [1, 2, 3, 5, 7] {
                        for offset in 0...(all.count + 1) {
                            let page = try ReadModelQueries.atendimentos(of: registro, filter: filter, limit: size, offset: offset, on: c)
                            #expect(page.total == all.count, "\(filter)")
                            #expect(page.rows.map { "\($0.document) \($0.abi)" } == Array(all.dropFirst(offset).prefix(size)),
                                    "\(filter), size \(size), offset \(offset)")
                        }
                    }
                }
                #expect(sizes.count > 4 && sizes.min() ?? 0 > 0)
            }
        }
    }
}
