import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

/// Migrations 106-108: after its batch, an atendimento's row is not written again when a first
/// round releases it (the round is one row, migration 108); an atendimento released otherwise is
/// written once more (a HOT update, touching no index), which also links it to its charge; the
/// charge's own event and its GRU's changes write no atendimento, and the situation still follows
/// the GRU (kept on the charge).
@Suite("Atendimento updates in place", .serialized)
struct AtendimentoUpdatesInPlaceTests {
    static let registro = "352222"
    static let documents = (1...40).map { String(format: "3700000%05d0", $0) }

    /// The operadora's registration.
    static func operadora() throws -> EventEnvelope {
        try Events.operadora(registro: registro, root: "14ABC345", name: "Saúde HOT Ltda.")
    }

    /// The notification, in ABI `abi`, of the first `count` documents.
    static func notification(abi: Int, _ count: Int = documents.count) throws -> EventEnvelope {
        try Events.envelope(NotificationAtendimentos(
            abi: try ABINumber(abi), registroANS: try RegistroANS(registro), batch: 1,
            atendimentos: documents.prefix(count).map { Events.atendimento($0, amount: "100,00") }))
    }

    /// The list counts equal a count of the rows.
    static func expectCountsAgree(_ fixture: Fixture) async throws {
        let differences = try await fixture.pool.withConnection { c in try ListCountTests.differences(on: c) }
        #expect(differences == [], "\(differences)")
    }

    /// A first-round chargeable event releasing `documents` at `indices` in ABI `abi` (not impugned,
    /// R$ 100,00 each, competência 2025-06).
    static func firstRound(abi: Int, _ indices: some Sequence<Int>, chargeableOn: String = "2026-02-10") throws -> EventEnvelope {
        let month = try YearMonth(parsing: "2025-06")
        return try Events.envelope(AtendimentosChargeable(
            abi: try ABINumber(abi), registroANS: try RegistroANS(registro),
            atendimentos: try indices.map { ChargeableAtendimento(document: try SUSDocumentNumber(documents[$0]), competencia: month,
                                                                  outcome: .notImpugned, originalAmount: Events.money("100,00"),
                                                                  finalAmount: Events.money("100,00")) },
            originalDueDate: Events.date("2026-02-24"), paymentDueDate: Events.date("2026-02-24"), chargeableOn: Events.date(chargeableOn)))
    }

    struct Updates: Equatable {
        var all: Int64
        var hot: Int64
    }

    /// Applies `events` with `handleBatch` in one transaction; the updates of `rm_atendimentos` it made.
    static func applyCountingUpdates(_ events: [EventEnvelope], _ fixture: Fixture) async throws -> Updates {
        try await countingUpdates(fixture) { c in
            try ReadModelHandler().handleBatch(events, context: HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date()))
        }
    }

    /// Runs `work` in one transaction; the updates of `rm_atendimentos` it made.
    static func countingUpdates(_ fixture: Fixture, _ work: @escaping @Sendable (PostgresConnection) throws -> Void) async throws -> Updates {
        try await fixture.pool.withTransaction { c in
            // The counts a backend has not reported yet include its earlier transactions': the difference.
            func counted() throws -> Updates {
                let row = try c.query("""
                    SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relid = 'rm_atendimentos'::regclass
                    """)[0]
                return Updates(all: try row.decode(Int64.self, at: 0), hot: try row.decode(Int64.self, at: 1))
            }
            let before = try counted()
            try work(c)
            let after = try counted()
            return Updates(all: after.all - before.all, hot: after.hot - before.hot)
        }
    }

    static func situations(_ fixture: Fixture) async throws -> [String: Int] {
        try await fixture.pool.withConnection { c in
            var counts: [String: Int] = [:]
            for row in try c.query("SELECT \(ReadModelQueries.situation(of: "a")), count(*)::int FROM rm_atendimentos a GROUP BY 1") {
                counts[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
            }
            return counts
        }
    }

    @Test("a first round writes no atendimento; nor do the charge and GRU events; the situation follows")
    func updatesStayOnTheirPage() async throws {
        let r = try RegistroANS(Self.registro), abi = try ABINumber(92), month = try YearMonth(parsing: "2025-06")
        let docs = try Self.documents.map { try SUSDocumentNumber($0) }
        let gru = Events.gruNumber(701)
        let notified = try Events.envelope(NotificationAtendimentos(
            abi: abi, registroANS: r, batch: 1, atendimentos: Self.documents.map { Events.atendimento($0, amount: "100,00") }))
        let chargeable = try Self.firstRound(abi: 92, Self.documents.indices)
        // The id the debt calculator gives the charge of this chargeable event.
        let chargeID = "92-\(Self.registro)-\(Self.documents[0])-2025-06"
        let charge = try Events.envelope(ChargeIssued(
            chargeID: chargeID, abi: abi, registroANS: r,
            atendimentos: docs.map { ChargedAtendimento(document: $0, competencia: month, amount: Events.money("100,00")) },
            total: Events.money("4000,00"), gruNumber: gru, accumulatedSmallCharges: .zero, issuedOn: Events.date("2026-02-10")))
        let issued = try Events.gruIssued(gru, registro: Self.registro, abi: 92, principal: "4000,00", issuedOn: "2026-02-10",
                                          dueDate: "2026-02-24", chargeIDs: [chargeID])
        let paid = try Events.stateChanged(gru, registro: Self.registro, from: .emitida, to: .paga, on: "2026-02-20",
                                           principal: "4000,00", open: "0,00", paid: "4000,00", accrualDate: "2026-02-24",
                                           reason: "pagamento")
        try await Fixture.with { fixture in
            try await fixture.apply([try Self.operadora(), notified])
            let a = try await Self.applyCountingUpdates([chargeable], fixture)
            #expect(a == Updates(all: 0, hot: 0), "\(a)")
            #expect(try await Self.situations(fixture) == ["cobravel": Self.documents.count])
            // Its compaction is scheduled; run, it writes each row once (a HOT update), and the
            // situations and counts stay; run again, it writes nothing.
            let scheduled = try await fixture.pool.withConnection { c in
                try c.query("SELECT payload->'charges'->>0 FROM scheduled_work WHERE kind = $1", [RoundCompaction.kind])
                    .map { try $0.decode(String.self, at: 0) }
            }
            #expect(scheduled == [chargeID])
            let compacted = try await Self.countingUpdates(fixture) { try RoundCompaction.compact(charges: [chargeID], on: $0) }
            #expect(compacted == Updates(all: Int64(Self.documents.count), hot: Int64(Self.documents.count)), "\(compacted)")
            #expect(try await Self.countingUpdates(fixture) { try RoundCompaction.compact(on: $0) } == Updates(all: 0, hot: 0))
            #expect(try await Self.situations(fixture) == ["cobravel": Self.documents.count])
            #expect(try await fixture.pool.withConnection { c in try ListCountTests.differences(on: c) } == [])
            let b = try await Self.applyCountingUpdates([charge, issued], fixture)
            #expect(b == Updates(all: 0, hot: 0), "\(b)")
            #expect(try await Self.situations(fixture) == ["cobrado": Self.documents.count])
            // The GRU's new situation is recorded on its charge alone.
            let c = try await Self.applyCountingUpdates([paid], fixture)
            #expect(c == Updates(all: 0, hot: 0), "\(c)")
            #expect(try await Self.situations(fixture) == ["pago": Self.documents.count])
            try await Self.expectCountsAgree(fixture)
            // Without its charge, an atendimento linked to it is cobrável again, and counted so.
            let afterDelete = try await fixture.pool.withConnection { c in
                _ = try c.execute("DELETE FROM rm_charges")
                return try ListCountTests.differences(on: c)
            }
            #expect(afterDelete == [], "\(afterDelete)")
            #expect(try await Self.situations(fixture) == ["cobravel": Self.documents.count])
        }
    }
    @Test("a round whose range holds a notificado atendimento it did not release writes each of its own instead")
    func roundWithAStrangerFallsBack() async throws {
        let r = try RegistroANS(Self.registro), abi = try ABINumber(93)
        let notified = try Events.envelope(NotificationAtendimentos(
            abi: abi, registroANS: r, batch: 1, atendimentos: Self.documents.prefix(5).map { Events.atendimento($0, amount: "100,00") }))
        // The middle one is not released (say its impugnação never reached the read model): it must stay notificado.
        let released = [0, 1, 3, 4]
        let chargeable = try Self.firstRound(abi: 93, released)
        try await Fixture.with { fixture in
            try await fixture.apply([try Self.operadora(), notified])
            let a = try await Self.applyCountingUpdates([chargeable], fixture)
            #expect(a == Updates(all: Int64(released.count), hot: Int64(released.count)), "\(a)")
            #expect(try await Self.situations(fixture) == ["cobravel": released.count, "notificado": 1])
            let rounds = try await fixture.pool.withConnection { try $0.query("SELECT count(*) FROM rm_charge_rounds")[0].decode(Int.self, at: 0) }
            #expect(rounds == 0)
            try await Self.expectCountsAgree(fixture)
        }
    }
    @Test("a row a process step created before its batch is left to its round by the compaction, and shows its amount once the batch arrives")
    func compactionLeavesRowsWithoutTheirBatch() async throws {
        let r = try RegistroANS(Self.registro), abi = try ABINumber(94), month = try YearMonth(parsing: "2025-06")
        let documents = Array(Self.documents.prefix(3))
        let docs = try documents.map { try SUSDocumentNumber($0) }
        let refused = try Events.envelope(FilingRefused(
            abi: abi, registroANS: r, document: docs[1], competencia: month, instance: .impugnacao,
            filedOn: Events.date("2026-02-12"), reason: "fora do prazo"))
        let chargeable = try Self.firstRound(abi: 94, documents.indices)
        let notified = try Events.envelope(NotificationAtendimentos(
            abi: abi, registroANS: r, batch: 1, atendimentos: documents.map { Events.atendimento($0, amount: "100,00") }))
        try await Fixture.with { fixture in
            try await fixture.apply([try Self.operadora(),
                                     refused, chargeable])
            #expect(try await fixture.pool.withTransaction { try RoundCompaction.compact(on: $0) } == 0)
            try await fixture.apply([notified])
            let rows = try await fixture.pool.withConnection { c in
                try ReadModelQueries.atendimentos(of: Self.registro, filter: AtendimentoFilter(abi: 94), limit: 10, offset: 0, on: c).rows
            }
            #expect(rows.map(\.situation) == [.cobravel, .cobravel, .cobravel])
            #expect(rows.map(\.finalAmount) == Array(repeating: Events.money("100,00"), count: 3))
            #expect(try await fixture.pool.withTransaction { try RoundCompaction.compact(on: $0) } == 3)
            #expect(try await fixture.pool.withConnection { c in try ListCountTests.differences(on: c) } == [])
        }
    }

    /// The compaction has the atendimentos' count trigger skip its own statement (migration 109);
    /// the rest of the transaction is counted again (the skip itself changes no count: it only
    /// saves the trigger's work).
    @Test("the statements after the compaction in its transaction are counted")
    func countsResumeAfterTheCompaction() async throws {
        let notified = try Self.notification(abi: 95)
        // A first round over the first half; the second half stays notificado.
        let chargeable = try Self.firstRound(abi: 95, 0..<20)
        try await Fixture.with { fixture in
            try await fixture.apply([try Self.operadora(),
                                     notified, chargeable])
            let (written, moved) = try await fixture.pool.withTransaction { c in
                let written = try RoundCompaction.compact(on: c)
                let moved = try c.execute("UPDATE rm_atendimentos SET process_state = 'impugnado' WHERE abi = 95 AND document = $1",
                                          [Self.documents[30]])
                return (written, moved)
            }
            #expect((written, moved) == (20, 1))
            #expect(try await Self.situations(fixture) == ["cobravel": 20, "notificado": 19, "impugnado": 1])
            try await Self.expectCountsAgree(fixture)
        }
    }

    /// Recorded rounds never overlap (a row has one round): an event whose range meets a recorded
    /// round is not recorded, and writes each of its atendimentos instead.
    @Test("a round overlapping a recorded one writes each of its atendimentos instead")
    func overlappingRoundWritesItsRows() async throws {
        try await Fixture.with { fixture in
            try await fixture.apply([try Self.operadora(), try Self.notification(abi: 96), try Self.firstRound(abi: 96, 0..<20)])
            // Its range holds 20 notificado rows (the first round's are not written yet), no more than it
            // released, but it meets the first round.
            try await fixture.apply([try Self.firstRound(abi: 96, 10..<30, chargeableOn: "2026-02-11")])
            let (rounds, linked) = try await fixture.pool.withConnection { c in
                (try c.query("SELECT first_document FROM rm_charge_rounds WHERE abi = 96").map { try $0.decode(String.self, at: 0) },
                 try c.query("SELECT count(*)::int FROM rm_atendimentos WHERE abi = 96 AND charge_id = $1",
                             ["96-\(Self.registro)-\(Self.documents[10])-2025-06"])[0].decode(Int.self, at: 0))
            }
            // Written one by one: all its rows take its charge (the first round's are not written yet).
            #expect(rounds == [Self.documents[0]])
            #expect(linked == 20)
            try await Self.expectCountsAgree(fixture)
        }
    }

    /// Two rounds of one batch whose ranges interleave (here arriving before their atendimentos, so
    /// no row tells them apart) are both written one by one.
    @Test("rounds of one batch that overlap each other write each of their atendimentos instead")
    func roundsOverlappingInABatchWriteTheirRows() async throws {
        try await Fixture.with { fixture in
            try await fixture.apply([try Self.operadora()])
            _ = try await Self.applyCountingUpdates([try Self.firstRound(abi: 97, stride(from: 0, to: 20, by: 2)),
                                                     try Self.firstRound(abi: 97, stride(from: 1, to: 20, by: 2))],
                                                    fixture)
            try await fixture.apply([try Self.notification(abi: 97, 20)])
            let rounds = try await fixture.pool.withConnection { try $0.query("SELECT count(*)::int FROM rm_charge_rounds WHERE abi = 97")[0]
                .decode(Int.self, at: 0) }
            #expect(rounds == 0)
            let charges = try await fixture.pool.withConnection { c in
                try c.query("SELECT document, charge_id FROM rm_atendimentos WHERE abi = 97 ORDER BY document")
                    .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String?.self, at: 1) ?? "-")" }
            }
            let expected = (0..<20).map { "\(Self.documents[$0]) 97-\(Self.registro)-\(Self.documents[$0 % 2])-2025-06" }
            #expect(charges == expected)
            try await Self.expectCountsAgree(fixture)
        }
    }
}
