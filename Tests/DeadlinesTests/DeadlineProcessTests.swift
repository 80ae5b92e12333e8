import DeadlinesCore
import Foundation
import Models
import Postgres
import Runtime
import Testing

/// The deadlines process against real PostgreSQL, under a simulated clock, calling the notification
/// handler and the scheduler (the deadlines' scheduled handlers) directly.
///
/// Calendar facts used below (2026): Feb 1 and Mar 1 are Sundays; Carnaval is Feb 16-17 (closed, policy);
/// Good Friday Apr 3; Easter Apr 5; Tiradentes Apr 21.
@Suite struct DeadlineProcessTests {
    static let registroA = "123456"
    static let registroB = "654321"

    /// One operadora's notification through the whole process: tacit ciência, late filings, all three
    /// decisions, a recurso on time and one late, and the final release with its dates.
    @Test func aNotificationRunsThroughEveryDeadline() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05")) { fixture in
            let d = (1...5).map { Sample.documentNumber($0) }
            let atendimentos = d.enumerated().map { Sample.atendimento($1, amount: Int64(100_000 * ($0 + 1))) }
            let abi = 7, registro = Self.registroA
            // The second batch arrives before the header.
            try await fixture.apply(Sample.batch(abi: abi, registro: registro, number: 2, Array(atendimentos[3...])))
            #expect(try await fixture.scalar("SELECT state FROM notifications") == "aguardando_cabecalho")
            try await fixture.apply(Sample.issued(abi: abi, registro: registro, availableOn: "2026-02-05",
                                                  atendimentos: atendimentos, batchCount: 2))
            try await fixture.apply(Sample.batch(abi: abi, registro: registro, number: 1, Array(atendimentos[..<3])))
            // A redelivered batch changes nothing.
            try await fixture.apply(Sample.batch(abi: abi, registro: registro, number: 1, Array(atendimentos[..<3])))
            #expect(try await fixture.scalar("SELECT batches_received::text FROM notifications") == "2")
            #expect(try await fixture.scalar("SELECT count(*)::text FROM atendimentos") == "5")

            // Impugnações before ciência are on time.
            try await fixture.advance(to: Sample.date("2026-02-10"))
            for document in d[1...3] {
                let outcome = try await fixture.request(.impugnacao(
                    abi: Sample.abi(abi), registroANS: Sample.registro(registro), document: Sample.document(document),
                    grounds: .technical, text: "Beneficiário em carência"))
                #expect(outcome.accepted, "\(outcome.message)")
            }
            let again = try await fixture.request(.impugnacao(
                abi: Sample.abi(abi), registroANS: Sample.registro(registro), document: Sample.document(d[1]),
                grounds: .administrative, text: "de novo"))
            #expect(!again.accepted && again.message.contains("já foi impugnado"), "\(again.message)")

            // Tacit ciência on Sunday Feb 15 (available on + 10); counting starts on the next business
            // day, Wed Feb 18 (Carnaval Mon-Tue closed): 30 days → Fri Mar 20.
            try await fixture.advance(to: Sample.date("2026-02-14"))
            #expect(try await fixture.scalar("SELECT state FROM notifications") == "aguardando_ciencia")
            try await fixture.advance(to: Sample.date("2026-02-15"))
            #expect(try await fixture.scalar("SELECT ciencia_on::text || ' ' || ciencia_kind || ' ' || window_end::text FROM notifications")
                    == "2026-02-15 tacita 2026-03-20")
            let ciencias = try await fixture.emitted(NotificationCienciaRegistered.self)
            #expect(ciencias.map(\.impugnacaoWindowEnd) == [Sample.date("2026-03-20")])

            // Explicit ciência after the tacit one: refused, still recorded.
            try await fixture.advance(to: Sample.date("2026-02-16"))
            let late = try await fixture.request(.ciencia(abi: Sample.abi(abi), registroANS: Sample.registro(registro),
                                                          date: Sample.date("2026-02-14")))
            #expect(!late.accepted && late.message.contains("ciência tácita já ocorreu em 15/02/2026"), "\(late.message)")
            #expect(try await fixture.scalar("SELECT status FROM requests WHERE kind = 'ciencia'") == "recusado")

            // First-instance decisions on Mon Mar 2: tacit ciência of the decision on Thu Mar 12.
            try await fixture.advance(to: Sample.date("2026-03-02"))
            for (document, result, amount) in [(d[1], DecisionResult.deferida, nil), (d[2], .parcialmenteDeferida, Money(reais: 1_000)),
                                               (d[3], .indeferida, nil)] as [(String, DecisionResult, Money?)] {
                let outcome = try await fixture.request(.decision(document: Sample.document(document), instance: .impugnacao,
                                                                  result: result, amount: amount))
                #expect(outcome.accepted, "\(outcome.message)")
            }
            // Explicit ciência of d4's decision on Wed Mar 4: recurso until Sat Mar 14 → Mon Mar 16.
            try await fixture.advance(to: Sample.date("2026-03-04"))
            let decisionCiencia = try await fixture.request(.decisionCiencia(document: Sample.document(d[3]), date: Sample.date("2026-03-04")))
            #expect(decisionCiencia.accepted, "\(decisionCiencia.message)")
            #expect(try await fixture.scalar("SELECT recurso_window_end::text FROM decisions WHERE document = $1", [d[3]]) == "2026-03-16")

            try await fixture.advance(to: Sample.date("2026-03-10"))
            let recurso = try await fixture.request(.recurso(abi: Sample.abi(abi), registroANS: Sample.registro(registro),
                                                             document: Sample.document(d[3]), text: "Procedimento coberto em outro plano"))
            #expect(recurso.accepted, "\(recurso.message)")
            #expect(try await fixture.state(of: d[3]) == "em_recurso")

            // Mar 12: tacit ciência of d2's and d3's decisions; d2 (deferida) is final at once: annulled.
            try await fixture.advance(to: Sample.date("2026-03-12"))
            #expect(try await fixture.state(of: d[1]) == "anulado")
            #expect(try await fixture.state(of: d[2]) == "decidido")

            // Window closes when Mar 21 begins: d1 and d5 (not impugned) become chargeable.
            try await fixture.advance(to: Sample.date("2026-03-20"))
            #expect(try await fixture.state(of: d[0]) == "notificado")
            try await fixture.advance(to: Sample.date("2026-03-21"))
            #expect(try await fixture.state(of: d[0]) == "cobravel")
            #expect(try await fixture.state(of: d[4]) == "cobravel")

            // Late impugnação on Mon Mar 23: refused with the reason, recorded as refused.
            try await fixture.advance(to: Sample.date("2026-03-23"))
            let lateImpugnacao = try await fixture.request(.impugnacao(
                abi: Sample.abi(abi), registroANS: Sample.registro(registro), document: Sample.document(d[4]),
                grounds: .administrative, text: "Atendimento já pago"))
            #expect(!lateImpugnacao.accepted)
            #expect(lateImpugnacao.message.contains("terminou em 20/03/2026"), "\(lateImpugnacao.message)")
            #expect(try await fixture.scalar("SELECT status || ' ' || filed_on::text FROM impugnacoes WHERE document = $1", [d[4]])
                    == "recusada 2026-03-23")
            #expect(try await fixture.emitted(FilingRefused.self).map(\.document.value) == [d[1], d[4]])

            // d3: recurso window (Mar 12 + 10 = Sun Mar 22 → Mon Mar 23) closes when Mar 24 begins.
            try await fixture.advance(to: Sample.date("2026-03-24"))
            #expect(try await fixture.state(of: d[2]) == "cobravel")
            try await fixture.advance(to: Sample.date("2026-03-25"))
            let lateRecurso = try await fixture.request(.recurso(abi: Sample.abi(abi), registroANS: Sample.registro(registro),
                                                                 document: Sample.document(d[2]), text: "tarde"))
            #expect(!lateRecurso.accepted && lateRecurso.message.contains("recurso intempestivo"), "\(lateRecurso.message)")

            // The recurso of d4 decided parcial on Wed Apr 1; its ciência goes tacit on Sat Apr 11.
            try await fixture.advance(to: Sample.date("2026-04-01"))
            let recursoDecision = try await fixture.request(.decision(document: Sample.document(d[3]), instance: .recurso,
                                                                      result: .parcialmenteDeferida, amount: Money(reais: 2_500)))
            #expect(recursoDecision.accepted, "\(recursoDecision.message)")
            try await fixture.advance(to: Sample.date("2026-04-10"))
            #expect(try await fixture.state(of: d[3]) == "recurso_decidido")
            try await fixture.advance(to: Sample.date("2026-04-30"))

            // Every atendimento released exactly once, with its final value and dates.
            let events = try await fixture.emitted(AtendimentosChargeable.self)
            var released: [String: (ChargeableAtendimento, AtendimentosChargeable)] = [:]
            for event in events {
                #expect(event.abi.value == abi && event.registroANS.value == registro)
                for atendimento in event.atendimentos {
                    #expect(released[atendimento.document.value] == nil, "released twice: \(atendimento.document)")
                    released[atendimento.document.value] = (atendimento, event)
                }
            }
            #expect(Set(released.keys) == Set(d))
            // Window end Fri Mar 20 + 15 = Sat Apr 4 → Mon Apr 6 (Easter Sunday Apr 5).
            let originalDue = Sample.date("2026-04-06")
            func check(_ document: String, _ outcome: ChargeableAtendimento.Outcome, final: Money, chargeableOn: String,
                       paymentDue: String) {
                guard let (atendimento, event) = released[document] else { Issue.record("\(document) not released"); return }
                #expect(atendimento.outcome == outcome, "\(document)")
                #expect(atendimento.finalAmount == final, "\(document)")
                #expect(event.originalDueDate == originalDue, "\(document)")
                #expect(event.paymentDueDate == Sample.date(paymentDue), "\(document)")
                #expect(event.chargeableOn == Sample.date(chargeableOn), "\(document)")
            }
            check(d[0], .notImpugned, final: Money(reais: 1_000), chargeableOn: "2026-03-21", paymentDue: "2026-04-06")
            check(d[4], .notImpugned, final: Money(reais: 5_000), chargeableOn: "2026-03-21", paymentDue: "2026-04-06")
            // Decision ciência Mar 12 + 15 = Fri Mar 27.
            check(d[1], .deferida, final: .zero, chargeableOn: "2026-03-12", paymentDue: "2026-03-27")
            check(d[2], .parcialmenteDeferida, final: Money(reais: 1_000), chargeableOn: "2026-03-24", paymentDue: "2026-03-27")
            // Recurso decision ciência Sat Apr 11 → counting from Mon Apr 13 + 15 = Tue Apr 28.
            check(d[3], .parcialmenteDeferida, final: Money(reais: 2_500), chargeableOn: "2026-04-11", paymentDue: "2026-04-28")
            #expect(released[d[1]]?.0.originalAmount == Money(reais: 2_000))
            #expect(try await fixture.scalar("SELECT count(*)::text FROM atendimentos WHERE released_on IS NULL") == "0")
        }
    }

    /// An explicit ciência before the tacit one wins; the tacit item is cancelled.
    @Test func explicitCienciaBeforeTheTacitOneWins() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05")) { fixture in
            let documents = (1...3).map { Sample.documentNumber($0, prefix: "32") }
            let atendimentos = documents.map { Sample.atendimento($0, amount: 50_000) }
            try await fixture.apply(Sample.issued(abi: 8, registro: Self.registroB, availableOn: "2026-02-05",
                                                  atendimentos: atendimentos, batchCount: 1))
            try await fixture.apply(Sample.batch(abi: 8, registro: Self.registroB, number: 1, atendimentos))
            try await fixture.advance(to: Sample.date("2026-02-09"))
            let future = try await fixture.request(.ciencia(abi: Sample.abi(8), registroANS: Sample.registro(Self.registroB),
                                                            date: Sample.date("2026-02-10")))
            #expect(!future.accepted && future.message.contains("posterior à data de hoje"), "\(future.message)")
            let unknown = try await fixture.request(.ciencia(abi: Sample.abi(9), registroANS: Sample.registro(Self.registroB),
                                                             date: Sample.date("2026-02-09")))
            #expect(!unknown.accepted && unknown.message.contains("não encontrada"), "\(unknown.message)")
            let outcome = try await fixture.request(.ciencia(abi: Sample.abi(8), registroANS: Sample.registro(Self.registroB),
                                                             date: Sample.date("2026-02-09")))
            #expect(outcome.accepted, "\(outcome.message)")
            // Mon Feb 9 + 30 = Wed Mar 11.
            #expect(outcome.message.contains("11/03/2026"), "\(outcome.message)")
            try await fixture.advance(to: Sample.date("2026-03-11"))
            #expect(try await fixture.emitted(NotificationCienciaRegistered.self).map(\.kind) == [.explicit])
            #expect(try await fixture.emitted(AtendimentosChargeable.self).isEmpty)
            try await fixture.advance(to: Sample.date("2026-03-12"))
            let events = try await fixture.emitted(AtendimentosChargeable.self)
            #expect(events.count == 1)
            #expect(events.first?.atendimentos.map(\.document.value) == documents)
            // Mar 11 + 15 = Thu Mar 26.
            #expect(events.first?.originalDueDate == Sample.date("2026-03-26"))
            #expect(events.first?.paymentDueDate == Sample.date("2026-03-26"))
            #expect(events.first?.chargeableOn == Sample.date("2026-03-12"))
        }
    }

    /// Large notifications are released in events of bounded size, every atendimento once.
    @Test func releasesAreSplitIntoBoundedEvents() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-06-01"), releaseBatchSize: 4) { fixture in
            let documents = (1...10).map { Sample.documentNumber($0, prefix: "33") }
            let atendimentos = documents.map { Sample.atendimento($0, amount: 12_345) }
            try await fixture.apply(Sample.issued(abi: 9, registro: Self.registroA, availableOn: "2026-06-01",
                                                  atendimentos: atendimentos, batchCount: 3))
            for (index, start) in [0, 4, 8].enumerated() {
                try await fixture.apply(Sample.batch(abi: 9, registro: Self.registroA, number: index + 1,
                                                     Array(atendimentos[start..<min(start + 4, 10)])))
            }
            try await fixture.advance(to: Sample.date("2026-09-01"))
            let events = try await fixture.emitted(AtendimentosChargeable.self)
            #expect(events.map(\.atendimentos.count) == [4, 4, 2])
            #expect(events.flatMap(\.atendimentos).map(\.document.value) == documents)
            #expect(Money.sum(events.flatMap(\.atendimentos).map(\.finalAmount)) == Money(centavos: 123_450))
        }
    }

    /// Decisions are checked: parcial needs a value below the amount at stake; no decision without impugnação.
    @Test func invalidDecisionsAreRefused() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05")) { fixture in
            let document = Sample.documentNumber(1, prefix: "34")
            let atendimento = Sample.atendimento(document, amount: 100_000)
            try await fixture.apply(Sample.issued(abi: 10, registro: Self.registroA, availableOn: "2026-02-05",
                                                  atendimentos: [atendimento], batchCount: 1))
            try await fixture.apply(Sample.batch(abi: 10, registro: Self.registroA, number: 1, [atendimento]))
            let notImpugned = try await fixture.request(.decision(document: Sample.document(document), instance: .impugnacao,
                                                                  result: .indeferida, amount: nil))
            #expect(!notImpugned.accepted && notImpugned.message.contains("não tem impugnação"), "\(notImpugned.message)")
            let filed = try await fixture.request(.impugnacao(abi: Sample.abi(10), registroANS: Sample.registro(Self.registroA),
                                                              document: Sample.document(document), grounds: .technical, text: "x"))
            #expect(filed.accepted)
            let tooHigh = try await fixture.request(.decision(document: Sample.document(document), instance: .impugnacao,
                                                              result: .parcialmenteDeferida, amount: Money(reais: 1_000)))
            #expect(!tooHigh.accepted && tooHigh.message.contains("menor que o valor em discussão"), "\(tooHigh.message)")
            #expect(try await fixture.state(of: document) == "impugnado")
            let status = try await fixture.pool.withConnection { try DeadlinesStatus.read(on: $0) }
            #expect(status.count("atendimentos", "impugnado") == 1)
            #expect(status.count("pedidos do operador", "recusado") == 2)
        }
    }
}
