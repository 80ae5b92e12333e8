import DeadlinesCore
import Foundation
import Models
import Postgres
import Runtime
import Testing

/// Operator requests submitted together (as `ressus carga reproduzir` files them, in bulk) are fired by
/// the scheduler's batch fast path and answered by the request desk in one statement: the outcomes,
/// events and states must be exactly those of firing them one by one, also where a request depends
/// on an earlier one of the same batch (a decision on an impugnação filed just before it, an
/// impugnação filed twice).
@Suite struct RequestBatchTests {
    static let registro = "123456", abi = 7

    struct Run: Equatable {
        var requests: [String]
        var events: [String]
        var states: [String]
        var work: [String]
    }

    static func replay(atOnce: Bool) async throws -> (Run, SchedulerWorker.Report) {
        var result: (Run, SchedulerWorker.Report)?
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05"),
                                        schedulerPolicy: SchedulerPolicy(fireBatchesAtOnce: atOnce)) { fixture in
            let d = (1...12).map { Sample.documentNumber($0) }
            let atendimentos = d.map { Sample.atendimento($0, amount: 200_000) }
            try await fixture.apply(Sample.issued(abi: abi, registro: registro, availableOn: "2026-02-05",
                                                  atendimentos: atendimentos, batchCount: 1))
            try await fixture.apply(Sample.batch(abi: abi, registro: registro, number: 1, atendimentos))
            try await fixture.advance(to: Sample.date("2026-02-10"))

            let (abiNumber, registroANS) = (Sample.abi(abi), Sample.registro(registro))
            func impugnacao(_ document: String) -> OperatorRequest {
                .impugnacao(abi: abiNumber, registroANS: registroANS, document: Sample.document(document),
                            grounds: .technical, text: "Carência")
            }
            func decision(_ document: String, _ result: DecisionResult, _ amount: Money? = nil) -> OperatorRequest {
                .decision(document: Sample.document(document), instance: .impugnacao, result: result, amount: amount)
            }
            let requests: [OperatorRequest] = d[..<6].map(impugnacao) + [
                impugnacao(d[0]),                                   // refused: already impugned (same batch)
                impugnacao(Sample.documentNumber(99)),              // refused: not in the notification
                .ciencia(abi: abiNumber, registroANS: registroANS, date: Sample.date("2026-02-11")),  // refused: future
                .ciencia(abi: abiNumber, registroANS: registroANS, date: Sample.date("2026-02-09")),
                .ciencia(abi: abiNumber, registroANS: registroANS, date: Sample.date("2026-02-08")),  // refused: already given
                .ciencia(abi: Sample.abi(8), registroANS: registroANS, date: Sample.date("2026-02-09")),  // refused: unknown
                decision(d[0], .deferida),
                decision(d[1], .parcialmenteDeferida, Money(centavos: 50_000)),
                decision(d[2], .indeferida),
                decision(d[3], .parcialmenteDeferida),              // refused: no amount
                decision(d[8], .indeferida),                        // refused: not impugned
            ]
            // As `ressus carga reproduzir` files them (one bulk submit) or as the commands do, one by one.
            let ids = try await fixture.pool.withTransaction { connection in
                atOnce ? try OperatorRequestDesk.submit(all: requests, on: connection)
                    : try requests.map { try OperatorRequestDesk.submit($0, on: connection) }
            }
            #expect(ids == ids.sorted() && Set(ids).count == requests.count)
            let report = try await fixture.scheduler.fireDue()
            // Every later deadline: decisions' tacit ciência, recurso windows, the impugnação window.
            for date in ["2026-02-25", "2026-03-31", "2026-04-30"] { try await fixture.advance(to: Sample.date(date)) }

            let run = try await fixture.pool.withConnection { connection in
                Run(
                    requests: try connection.query("SELECT kind, status, message, decided_on::text FROM requests ORDER BY id")
                        .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2)) \(try $0.decode(String.self, at: 3))" },
                    events: try connection.query(
                        "SELECT event_type, partition_key, convert_from(payload, 'UTF8') FROM outbox ORDER BY seq")
                        .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))" },
                    states: try connection.query(
                        "SELECT document, state, coalesce(final_amount::text, '-') FROM atendimentos ORDER BY document")
                        .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))" },
                    work: try connection.query("SELECT kind, work_key, status, fired_at::text FROM scheduled_work ORDER BY kind, work_key")
                        .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2)) \(try $0.decode(String?.self, at: 3) ?? "-")" })
            }
            result = (run, report)
        }
        return try #require(result)
    }

    @Test func requestsFiredAtOnceAreAnsweredAsOneByOne() async throws {
        let (atOnce, atOnceReport) = try await Self.replay(atOnce: true)
        let (oneByOne, oneByOneReport) = try await Self.replay(atOnce: false)
        #expect(atOnceReport.fired == 17 && oneByOneReport.fired == 17)
        #expect(atOnceReport.firedAtOnce == 17, "the fast path was not taken")
        #expect(oneByOneReport.firedAtOnce == 0)
        let statuses = atOnce.requests.map { $0.split(separator: " ")[1] }
        #expect(statuses == ["aceito", "aceito", "aceito", "aceito", "aceito", "aceito", "recusado", "recusado",
                             "recusado", "aceito", "recusado", "recusado",
                             "aceito", "aceito", "aceito", "recusado", "recusado"], "\(atOnce.requests)")
        #expect(atOnce.requests == oneByOne.requests)
        #expect(atOnce.events == oneByOne.events)
        #expect(atOnce.states == oneByOne.states)
        #expect(atOnce.work == oneByOne.work)
        #expect(atOnce.states.contains { $0.hasSuffix("anulado 0") }, "\(atOnce.states)")
        #expect(atOnce.states.contains { $0.hasSuffix("cobravel 50000") }, "\(atOnce.states)")
    }
}
