import DeadlinesCore
import Foundation
import Models
import Postgres
import Runtime
import Testing

/// Second-instance outcomes and late-arriving batches.
@Suite struct RecursoOutcomeTests {
    /// Recurso indeferida: the first-instance (parcial) value stands; recurso deferida: annulled. Both are
    /// released on ciência of the recurso decision, due 15 days after it; accrual from the original due date.
    @Test func theRecursoDecisionIsFinal() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-08-03")) { fixture in
            let documents = (1...2).map { Sample.documentNumber($0, prefix: "37") }
            let atendimentos = documents.map { Sample.atendimento($0, amount: 300_000) }
            let abi = Sample.abi(20), registro = Sample.registro("112233")
            try await fixture.apply(Sample.issued(abi: 20, registro: "112233", availableOn: "2026-08-03",
                                                  atendimentos: atendimentos, batchCount: 1))
            try await fixture.apply(Sample.batch(abi: 20, registro: "112233", number: 1, atendimentos))
            // Explicit ciência Mon Aug 3 → window Wed Sep 2 → original due Thu Sep 17.
            #expect(try await fixture.request(.ciencia(abi: abi, registroANS: registro, date: Sample.date("2026-08-03"))).accepted)
            for document in documents {
                #expect(try await fixture.request(.impugnacao(abi: abi, registroANS: registro, document: Sample.document(document),
                                                              grounds: .administrative, text: "x")).accepted)
            }
            try await fixture.advance(to: Sample.date("2026-08-10"))
            for document in documents {
                #expect(try await fixture.request(.decision(document: Sample.document(document), instance: .impugnacao,
                                                            result: .parcialmenteDeferida, amount: Money(reais: 1_200))).accepted)
                // A recurso before ciência of the decision is on time.
                #expect(try await fixture.request(.recurso(abi: abi, registroANS: registro, document: Sample.document(document),
                                                           text: "y")).accepted)
            }
            // The decisions' tacit ciência (Thu Aug 20) must not close the recurso already filed.
            try await fixture.advance(to: Sample.date("2026-09-01"))
            #expect(try await fixture.state(of: documents[0]) == "em_recurso")
            let tooHigh = try await fixture.request(.decision(document: Sample.document(documents[0]), instance: .recurso,
                                                              result: .parcialmenteDeferida, amount: Money(reais: 1_500)))
            #expect(!tooHigh.accepted, "parcial above the first-instance value: \(tooHigh.message)")
            #expect(try await fixture.request(.decision(document: Sample.document(documents[0]), instance: .recurso,
                                                        result: .indeferida, amount: nil)).accepted)
            #expect(try await fixture.request(.decision(document: Sample.document(documents[1]), instance: .recurso,
                                                        result: .deferida, amount: nil)).accepted)
            // Explicit ciência of both recurso decisions on Fri Sep 4 → due Sat Sep 19 → Mon Sep 21.
            try await fixture.advance(to: Sample.date("2026-09-04"))
            for document in documents {
                let outcome = try await fixture.request(.decisionCiencia(document: Sample.document(document), date: Sample.date("2026-09-04")))
                #expect(outcome.accepted, "\(outcome.message)")
            }
            try await fixture.advance(to: Sample.date("2026-10-30"))
            let events = try await fixture.emitted(AtendimentosChargeable.self)
            let released = events.flatMap { event in event.atendimentos.map { ($0, event) } }
            #expect(released.map(\.0.document.value).sorted() == documents)
            let first = try #require(released.first { $0.0.document.value == documents[0] })
            #expect(first.0.outcome == .parcialmenteDeferida && first.0.finalAmount == Money(reais: 1_200))
            #expect(first.1.paymentDueDate == Sample.date("2026-09-21"))
            #expect(first.1.originalDueDate == Sample.date("2026-09-17"))
            #expect(first.1.chargeableOn == Sample.date("2026-09-04"))
            let second = try #require(released.first { $0.0.document.value == documents[1] })
            #expect(second.0.outcome == .deferida && second.0.finalAmount == .zero && second.0.isAnnulled)
            #expect(try await fixture.state(of: documents[1]) == "anulado")
            let decisions = try await fixture.emitted(DecisionMade.self)
            #expect(decisions.map(\.instance) == [.impugnacao, .impugnacao, .recurso, .recurso])
            #expect(decisions[2].amount == Money(reais: 1_200))
        }
    }

    /// A batch that arrives after the impugnação window closed is released at once.
    @Test func aBatchAfterTheWindowClosedIsReleasedAtOnce() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-08-03")) { fixture in
            let documents = (1...2).map { Sample.documentNumber($0, prefix: "38") }
            let atendimentos = documents.map { Sample.atendimento($0, amount: 10_000) }
            try await fixture.apply(Sample.issued(abi: 21, registro: "112233", availableOn: "2026-08-03",
                                                  atendimentos: atendimentos, batchCount: 2))
            try await fixture.apply(Sample.batch(abi: 21, registro: "112233", number: 1, [atendimentos[0]]))
            try await fixture.advance(to: Sample.date("2026-10-01"))
            #expect(try await fixture.emitted(AtendimentosChargeable.self).flatMap(\.atendimentos).map(\.document.value) == [documents[0]])
            try await fixture.apply(Sample.batch(abi: 21, registro: "112233", number: 2, [atendimentos[1]]))
            let events = try await fixture.emitted(AtendimentosChargeable.self)
            #expect(events.flatMap(\.atendimentos).map(\.document.value) == documents)
            #expect(events.last?.chargeableOn == Sample.date("2026-10-01"))
            // Tacit ciência Thu Aug 13 → window Sat Sep 12 → Mon Sep 14 → due Tue Sep 29.
            #expect(events.allSatisfy { $0.originalDueDate == Sample.date("2026-09-29") })
        }
    }
}
