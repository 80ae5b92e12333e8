import DeadlinesCore
import Foundation
import Models
import Runtime
import Testing

/// An APAC number is reused for each competência of its validity, so an atendimento is its document
/// number and competência (DOMAIN §1): the intake notifies both, and the deadlines service keys them by
/// notification, document and competência (migration 101). Requests naming the document must name the
/// competência when it is ambiguous; the process events and the release carry it.
@Suite struct APACCompetenciaTests {
    @Test func twoCompetenciasOfOneAPACFollowTheirOwnProcess() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-05-04")) { fixture in
            let documentText = Sample.documentNumber(1, prefix: "37")
            let document = Sample.document(documentText)
            var october = Sample.atendimento(documentText, amount: 60_000)
            october.kind = .apac
            var november = october
            november.competencia = try YearMonth(parsing: "2025-11")
            november.amountToReimburse = Money(centavos: 45_000)
            let abi = Sample.abi(21), registro = Sample.registro("112233")
            try await fixture.apply(Sample.issued(abi: 21, registro: "112233", availableOn: "2026-05-04",
                                                  atendimentos: [october, november], batchCount: 1))
            try await fixture.apply(Sample.batch(abi: 21, registro: "112233", number: 1, [october, november]))
            // Explicit ciência Mon May 4 → window ends Wed Jun 3, closes Thu Jun 4; original due Thu Jun 18.
            #expect(try await fixture.request(.ciencia(abi: abi, registroANS: registro, date: Sample.date("2026-05-04"))).accepted)

            // Without the competência the document names two atendimentos: refused, nothing recorded.
            let ambiguous = try await fixture.request(.impugnacao(
                abi: abi, registroANS: registro, document: document, grounds: .technical, text: "x"))
            #expect(!ambiguous.accepted)
            #expect(ambiguous.message.contains("ambíguo") && ambiguous.message.contains("--competencia")
                    && ambiguous.message.contains("2025-10") && ambiguous.message.contains("2025-11"), "\(ambiguous.message)")
            let unknown = try await fixture.request(.impugnacao(
                abi: abi, registroANS: registro, document: document, competencia: try YearMonth(parsing: "2025-12"),
                grounds: .technical, text: "x"))
            #expect(!unknown.accepted && unknown.message.contains("competência 2025-12"), "\(unknown.message)")

            let filed = try await fixture.request(.impugnacao(
                abi: abi, registroANS: registro, document: document, competencia: november.competencia,
                grounds: .technical, text: "procedimento não realizado nesta competência"))
            #expect(filed.accepted, "\(filed.message)")
            try await fixture.advance(to: Sample.date("2026-05-11"))
            let undecided = try await fixture.request(.decision(document: document, instance: .impugnacao,
                                                                result: .deferida, amount: nil))
            #expect(!undecided.accepted && undecided.message.contains("--competencia"), "\(undecided.message)")
            let decided = try await fixture.request(.decision(document: document, competencia: november.competencia,
                                                              instance: .impugnacao, result: .deferida, amount: nil))
            #expect(decided.accepted, "\(decided.message)")
            let ciencia = try await fixture.request(.decisionCiencia(document: document, competencia: november.competencia,
                                                                     date: Sample.date("2026-05-11")))
            #expect(ciencia.accepted, "\(ciencia.message)")

            // The window closes: October, never impugned, is released at its amount.
            try await fixture.advance(to: Sample.date("2026-06-04"))
            let released = try await fixture.emitted(AtendimentosChargeable.self).flatMap(\.atendimentos)
            #expect(released.count == 2)
            #expect(Money.sum(released.map(\.originalAmount)) == Money(centavos: 105_000))
            let releasedOctober = try #require(released.first { $0.competencia == october.competencia })
            #expect(releasedOctober.document == document && releasedOctober.outcome == .notImpugned)
            #expect(releasedOctober.finalAmount == Money(centavos: 60_000))
            let releasedNovember = try #require(released.first { $0.competencia == november.competencia })
            #expect(releasedNovember.document == document && releasedNovember.isAnnulled)
            #expect(releasedNovember.originalAmount == Money(centavos: 45_000) && releasedNovember.finalAmount == .zero)

            // The process events name the competência they concern.
            #expect(try await fixture.emitted(ImpugnacaoFiled.self).map(\.competencia) == [november.competencia])
            #expect(try await fixture.emitted(DecisionMade.self).map(\.competencia) == [november.competencia])
            #expect(try await fixture.emitted(DecisionCienciaRegistered.self).map(\.competencia) == [november.competencia])
            let states = try await fixture.scalar("""
                SELECT string_agg(competencia || ':' || state, ',' ORDER BY competencia) FROM atendimentos WHERE document = $1
                """, [documentText])
            #expect(states == "2025-10:cobravel,2025-11:anulado")
        }
    }
}
