import DeadlinesCore
import Foundation
import Models
import Postgres
import Runtime
import Testing

/// Tacit ciências and ends of impugnação windows due together (one ABI, many operadoras) are fired by
/// the scheduler's batch fast path with a few statements: the events, states and scheduled work must
/// be exactly those of firing them one by one, with an explicit ciência, an impugned atendimento,
/// a notification whose atendimentos never arrived and a release split in several events among them.
@Suite struct NotificationDeadlineBatchTests {
    static let abi = 7
    static let registros = (1...6).map { String(100_000 + $0) }

    struct Run: Equatable {
        var events: [String]
        var notifications: [String]
        var atendimentos: [String]
        var work: [String]
    }

    static func replay(atOnce: Bool) async throws -> (Run, [SchedulerWorker.Report]) {
        var result: (Run, [SchedulerWorker.Report])?
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05"), releaseBatchSize: 2,
                                        schedulerPolicy: SchedulerPolicy(fireBatchesAtOnce: atOnce)) { fixture in
            for (index, registro) in registros.enumerated() {
                let atendimentos = (1...(index + 1)).map {
                    Sample.atendimento(Sample.documentNumber(index * 10 + $0), amount: Int64(100_000 + 1_000 * $0))
                }
                try await fixture.apply(Sample.issued(abi: abi, registro: registro, availableOn: "2026-02-05",
                                                      atendimentos: atendimentos, batchCount: 1))
                // The last notification's atendimentos never arrive: nothing to release.
                if index < registros.count - 1 {
                    try await fixture.apply(Sample.batch(abi: abi, registro: registro, number: 1, atendimentos))
                }
            }
            let (abiNumber, second) = (Sample.abi(abi), Sample.registro(registros[1]))
            // Explicit ciência of the second notification (its tacit item is cancelled) and an
            // impugnação of one of its atendimentos (not released when its window closes).
            _ = try await fixture.request(.ciencia(abi: abiNumber, registroANS: second, date: Sample.date("2026-02-05")))
            _ = try await fixture.request(.impugnacao(abi: abiNumber, registroANS: second,
                                                      document: Sample.document(Sample.documentNumber(11)),
                                                      grounds: .technical, text: "Carência"))
            var reports: [SchedulerWorker.Report] = []
            // Tacit ciência on 2026-02-16 (10 days, RN 377/2015), then every window closes.
            for date in ["2026-02-20", "2026-04-30"] {
                fixture.clock.advance(to: DeadlinesFixture.at(Sample.date(date)))
                reports.append(try await fixture.scheduler.fireDue())
            }
            let run = try await fixture.pool.withConnection { connection in
                Run(
                    events: try connection.query(
                        "SELECT event_type, partition_key, convert_from(payload, 'UTF8') FROM outbox ORDER BY seq")
                        .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))" },
                    notifications: try connection.query("""
                        SELECT concat_ws(' ', registro_ans, state, ciencia_on, ciencia_kind, window_end, original_due_date)
                        FROM notifications ORDER BY registro_ans
                        """).map { try $0.decode(String.self, at: 0) },
                    atendimentos: try connection.query("""
                        SELECT concat_ws(' ', document, state, outcome, final_amount, released_on, payment_due_date)
                        FROM atendimentos ORDER BY document
                        """).map { try $0.decode(String.self, at: 0) },
                    work: try connection.query("""
                        SELECT concat_ws(' ', kind, work_key, status, due_at, fired_at) FROM scheduled_work
                        WHERE kind <> 'deadlines.pedido' ORDER BY kind, work_key
                        """).map { try $0.decode(String.self, at: 0) })
            }
            result = (run, reports)
        }
        return try #require(result)
    }

    @Test func notificationDeadlinesFiredAtOnceEqualOneByOne() async throws {
        let (atOnce, atOnceReports) = try await Self.replay(atOnce: true)
        let (oneByOne, oneByOneReports) = try await Self.replay(atOnce: false)
        // Five tacit ciências, then six windows closing.
        #expect(atOnceReports.map(\.fired) == [5, 6] && oneByOneReports.map(\.fired) == [5, 6])
        #expect(atOnceReports.map(\.firedAtOnce) == [5, 6], "the fast path was not taken")
        #expect(oneByOneReports.map(\.firedAtOnce) == [0, 0])
        #expect(atOnce.events == oneByOne.events)
        #expect(atOnce.notifications == oneByOne.notifications)
        #expect(atOnce.atendimentos == oneByOne.atendimentos)
        #expect(atOnce.work == oneByOne.work)

        // What one by one did is what the rules say.
        #expect(atOnce.notifications.allSatisfy { $0.contains(" prazo_encerrado ") }, "\(atOnce.notifications)")
        #expect(atOnce.notifications.filter { $0.contains(" tacita ") }.count == 5, "\(atOnce.notifications)")
        let chargeable = atOnce.events.filter { $0.hasPrefix(AtendimentosChargeable.eventType.description) }
        // 1 + 1 (the impugned one stays) + 3 + 4 + 5 atendimentos in events of at most 2: 1 + 1 + 2 + 2 + 3.
        #expect(chargeable.count == 9, "\(chargeable)")
        #expect(atOnce.atendimentos.filter { $0.contains(" cobravel nao_impugnado ") }.count == 14, "\(atOnce.atendimentos)")
        #expect(atOnce.atendimentos.filter { $0.contains(" impugnado") && !$0.contains("nao_impugnado") }.count == 1)
    }
}
