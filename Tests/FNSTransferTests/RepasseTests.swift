import FNSTransferCore
import Foundation
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// Settlements per collection month, the scheduled monthly repasse, complementary repasses and
/// operator requests, on a private schema under a simulated clock (handlers called directly).
@Suite struct RepasseTests {
    @Test func monthlyRepasseAndComplementaryTransfer() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            try await fixture.apply(Sample.settled("p1", paidOn: "2026-03-10", principal: 100_000))
            try await fixture.apply(Sample.settled("p2", paidOn: "2026-03-31", principal: 50_000, multa: 2_475, juros: 500))
            try await fixture.apply(Sample.settled("p3", paidOn: "2026-04-02", principal: 200_000))

            // March's repasse falls on the last business day of April (Thu Apr 30; May 1 is a holiday).
            try await fixture.advance(to: Sample.date("2026-04-29"))
            #expect(try await fixture.emitted(RepasseTransferred.self).isEmpty)
            try await fixture.advance(to: Sample.date("2026-04-30"))
            let march = try #require(try await fixture.emitted(RepasseTransferred.self).first)
            #expect(march.repasseID == "2026-03/1")
            #expect(march.kind == .regular && march.trigger == .scheduled)
            #expect(march.transferredOn == Sample.date("2026-04-30"))
            #expect(march.principal == Money(centavos: 150_000) && march.multa == Money(centavos: 2_475))
            #expect(march.juros == Money(centavos: 500) && march.total == Money(centavos: 152_975))
            #expect(march.paymentCount == 2)

            // A settlement paid in March that arrives in May: complementary repasse with May's run (Fri May 29).
            try await fixture.advance(to: Sample.date("2026-05-05"))
            try await fixture.apply(Sample.settled("p4", paidOn: "2026-03-30", principal: 10_000, juros: 1))
            var reconciliation = try await fixture.read { try FNSReports.reconciliation(on: $0) }
            #expect(reconciliation.map(\.collectionMonth.description) == ["2026-03", "2026-04"])
            #expect(reconciliation[0].settled == Money(centavos: 162_976))
            #expect(reconciliation[0].transferred == Money(centavos: 152_975))
            #expect(reconciliation[0].pending == Money(centavos: 10_001))
            #expect(reconciliation.allSatisfy { $0.reconciles })

            try await fixture.advance(to: Sample.date("2026-05-28"))
            #expect(try await fixture.emitted(RepasseTransferred.self).count == 1)
            try await fixture.advance(to: Sample.date("2026-05-29"))
            let events = try await fixture.emitted(RepasseTransferred.self)
            #expect(Set(events.map(\.repasseID)) == ["2026-03/1", "2026-04/1", "2026-03/2"])
            let complementary = try #require(events.first { $0.repasseID == "2026-03/2" })
            #expect(complementary.kind == .complementary && complementary.trigger == .lateSettlements)
            #expect(complementary.total == Money(centavos: 10_001) && complementary.paymentCount == 1)
            #expect(complementary.transferredOn == Sample.date("2026-05-29"))
            let april = try #require(events.first { $0.repasseID == "2026-04/1" })
            #expect(april.total == Money(centavos: 200_000))

            // Redelivered settlements (same envelope, or a new envelope with the same payment id) change nothing.
            let again = Sample.settled("p1", paidOn: "2026-03-10", principal: 100_000)
            try await fixture.apply(again)
            try await fixture.advance(to: Sample.date("2026-06-30"))
            #expect(try await fixture.scalar("SELECT count(*)::text FROM settlements") == "4")
            #expect(try await fixture.emitted(RepasseTransferred.self).count == 3)
            reconciliation = try await fixture.read { try FNSReports.reconciliation(on: $0) }
            #expect(reconciliation.allSatisfy { $0.reconciles && $0.pending == .zero })
            #expect(try await fixture.scalar("SELECT count(*)::text FROM settlements WHERE repasse_id IS NULL") == "0")

            let demonstrativo = try await fixture.read { try FNSReports.demonstrativo(month: Sample.month("2026-03"), on: $0) }
            #expect(demonstrativo.repasses.map(\.repasseID) == ["2026-03/1", "2026-03/2"])
            #expect(demonstrativo.collected.total == Money(centavos: 162_976))
            #expect(demonstrativo.transferred == demonstrativo.collected && demonstrativo.pending == .zero)
            #expect(demonstrativo.scheduledRepasseDate == Sample.date("2026-04-30"))
        }
    }

    @Test func operatorRequestedRepasse() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2026-03-20")) { fixture in
            try await fixture.apply(Sample.settled("q1", paidOn: "2026-03-05", principal: 123_456, multa: 7, juros: 8))
            let early = try await fixture.request(.repasse(month: Sample.month("2026-03")))
            #expect(!early.accepted)
            #expect(early.message.contains("ainda não terminou"), "\(early.message)")
            let empty = try await fixture.request(.repasse(month: Sample.month("2026-02")))
            #expect(!empty.accepted && empty.message.contains("nenhum pagamento liquidado em 02/2026"), "\(empty.message)")

            try await fixture.advance(to: Sample.date("2026-04-06"))
            let done = try await fixture.request(.repasse(month: Sample.month("2026-03")))
            #expect(done.accepted, "\(done.message)")
            #expect(done.message.contains("Repasse 2026-03/1 (regular)"), "\(done.message)")
            #expect(done.message.contains("registrado em 06/04/2026"), "\(done.message)")
            #expect(done.message.contains("total R$ 1.234,71"), "\(done.message)")
            let twice = try await fixture.request(.repasse(month: Sample.month("2026-03")))
            #expect(!twice.accepted && twice.message.contains("já foi repassado"), "\(twice.message)")

            // The scheduled run on Apr 30 finds nothing pending: still one repasse.
            try await fixture.advance(to: Sample.date("2026-04-30"))
            var events = try await fixture.emitted(RepasseTransferred.self)
            #expect(events.count == 1)
            #expect(events[0].trigger == .operatorRequest && events[0].transferredOn == Sample.date("2026-04-06"))

            // A late one recorded on the run day goes out that day, as complementary.
            try await fixture.apply(Sample.settled("q2", paidOn: "2026-03-31", principal: 1_000))
            try await fixture.advance(to: Sample.date("2026-04-30"))
            events = try await fixture.emitted(RepasseTransferred.self)
            #expect(events.map(\.repasseID) == ["2026-03/1", "2026-03/2"])
            #expect(events[1].kind == .complementary && events[1].total == Money(centavos: 1_000))
        }
    }

    @Test func monthFirstSettledAfterItsRepasseDateGoesOutNextBusinessDay() async throws {
        // Sat Jun 13 2026: March's repasse date (Apr 30) has passed; it goes out on Mon Jun 15.
        try await FNSFixture.with(startingOn: Sample.date("2026-06-13")) { fixture in
            try await fixture.apply(Sample.settled("r1", paidOn: "2026-03-15", principal: 4_200))
            try await fixture.advance(to: Sample.date("2026-06-13"))
            #expect(try await fixture.emitted(RepasseTransferred.self).isEmpty)
            try await fixture.advance(to: Sample.date("2026-06-15"))
            let events = try await fixture.emitted(RepasseTransferred.self)
            #expect(events.map(\.repasseID) == ["2026-03/1"])
            #expect(events.first?.transferredOn == Sample.date("2026-06-15") && events.first?.kind == .regular)
        }
    }

    @Test func concurrentRequestsTransferOnce() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2026-04-02")) { fixture in
            for n in 1...20 {
                try await fixture.apply(Sample.settled("c\(n)", paidOn: "2026-03-\(10 + n % 10)", principal: Int64(n) * 1_001))
            }
            let ids = try await fixture.pool.withTransaction { connection in
                try (1...4).map { _ in try OperatorRequestDesk.submit(FNSRequest.repasse(month: Sample.month("2026-03")), on: connection) }
            }
            // Two workers (as two replicas) fire the requests at the same time.
            let other = SchedulerWorker(database: fixture.pool, clock: fixture.clock,
                                        handlers: FNSTransferCore.scheduledHandlers(settings: fixture.settings),
                                        serviceName: "fns-test-other", logger: quietLogger)
            async let first = fixture.scheduler.fireDue()
            async let second = other.fireDue()
            _ = try await (first, second)
            let outcomes = try await fixture.pool.withConnection { connection in
                try ids.map { try OperatorRequestDesk.outcome(of: $0, FNSRequest.self, on: connection) }
            }
            #expect(outcomes.compactMap { $0 }.filter(\.accepted).count == 1)
            #expect(outcomes.compactMap { $0 }.filter { !$0.accepted && $0.message.contains("já foi repassado") }.count == 3)
            let events = try await fixture.emitted(RepasseTransferred.self)
            #expect(events.count == 1 && events.first?.paymentCount == 20)
            #expect(events.first?.total == Money(centavos: 1_001 * 210))
        }
    }

    @Test func inconsistentSettlementIsRefused() async throws {
        try await FNSFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            var bad = Sample.settled("x1", paidOn: "2026-03-02", principal: 100)
            bad.total = Money(centavos: 99)
            await #expect(throws: FNSError.self) { try await fixture.apply(bad) }
            let count = try await fixture.scalar("SELECT count(*)::text FROM settlements")
            #expect(count == "0")
        }
    }

    @Test func repasseDatesFollowThePolicy() {
        let settings = FNSSettings.standard
        let policy = settings.policy
        #expect(policy.repasseDate(for: Sample.month("2026-03"), calendar: settings.calendar) == Sample.date("2026-04-30"))
        // Jan 2026 → last business day of Feb 2026: Fri Feb 27.
        #expect(policy.repasseDate(for: Sample.month("2026-01"), calendar: settings.calendar) == Sample.date("2026-02-27"))
        // Nov 2026 → Dec 31 2026 is a Thursday (business day).
        #expect(policy.repasseDate(for: Sample.month("2026-11"), calendar: settings.calendar) == Sample.date("2026-12-31"))
        #expect(policy.nextRepasseRun(onOrAfter: Sample.date("2026-05-05"), calendar: settings.calendar) == Sample.date("2026-05-29"))
        #expect(policy.nextRepasseRun(onOrAfter: Sample.date("2026-05-30"), calendar: settings.calendar) == Sample.date("2026-06-30"))
    }
}
