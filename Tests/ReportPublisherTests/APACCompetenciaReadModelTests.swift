import Foundation
import Models
@testable import ReportPublisherCore
import Testing

/// The situação dos atendimentos keeps one row per document and competência: an APAC notified for two
/// competências (DOMAIN §1) shows both, each with its own process and charge.
@Suite struct APACCompetenciaReadModelTests {
    @Test func eachCompetenciaOfAnAPACHasItsOwnSituation() async throws {
        let registro = "341299"
        let r = try RegistroANS(registro), abi = try ABINumber(91)
        let apac = "3700000000011", aih = "3500000000099"
        let document = try SUSDocumentNumber(apac)
        let october = try YearMonth(parsing: "2025-10"), november = try YearMonth(parsing: "2025-11")
        var first = Events.atendimento(apac, amount: "600,00", kind: .apac)
        first.competencia = october
        var second = first
        second.competencia = november
        second.amountToReimburse = Events.money("450,00")
        try await Fixture.with { fixture in
            try await fixture.apply([
                // A process step may arrive before the notification's batch (another topic).
                try Events.envelope(ImpugnacaoFiled(abi: abi, registroANS: r, document: document, competencia: november,
                                                    grounds: .technical, filedOn: Events.date("2026-01-20"))),
                try Events.envelope(NotificationAtendimentos(abi: abi, registroANS: r, batch: 1, atendimentos: [
                    first, second, Events.atendimento(aih, amount: "100,00")])),
                try Events.envelope(DecisionMade(abi: abi, registroANS: r, document: document, competencia: november,
                                                 instance: .impugnacao, result: .deferida, amount: .zero,
                                                 decidedOn: Events.date("2026-02-02"))),
                // An event written before the contracts carried the competência names the document's only row.
                try Events.envelope(ImpugnacaoFiled(abi: abi, registroANS: r, document: try SUSDocumentNumber(aih),
                                                    competencia: nil, grounds: .administrative,
                                                    filedOn: Events.date("2026-01-21"))),
                try Events.envelope(AtendimentosChargeable(
                    abi: abi, registroANS: r, atendimentos: [
                        ChargeableAtendimento(document: document, competencia: october, outcome: .notImpugned,
                                              originalAmount: Events.money("600,00"), finalAmount: Events.money("600,00")),
                        ChargeableAtendimento(document: document, competencia: november, outcome: .deferida,
                                              originalAmount: Events.money("450,00"), finalAmount: .zero),
                    ], originalDueDate: Events.date("2026-02-24"), paymentDueDate: Events.date("2026-02-24"),
                    chargeableOn: Events.date("2026-02-10"))),
                try Events.envelope(ChargeIssued(
                    chargeID: "c-91-1", abi: abi, registroANS: r,
                    atendimentos: [ChargedAtendimento(document: document, competencia: october, amount: Events.money("600,00"))],
                    total: Events.money("600,00"), gruNumber: nil, accumulatedSmallCharges: Events.money("600,00"),
                    issuedOn: Events.date("2026-02-10"))),
            ])
            let rows = try await fixture.pool.withConnection { c in
                try ReadModelQueries.atendimentos(of: registro, filter: AtendimentoFilter(), limit: 10, offset: 0, on: c).rows
            }
            let lines = rows.map {
                "\($0.document) \($0.competencia ?? "-") \($0.kind ?? "-") \($0.situation.rawValue) "
                    + "amount=\($0.amount?.centavos ?? -1) final=\($0.finalAmount?.centavos ?? -1)"
            }
            #expect(lines == [
                "\(aih) 2025-06 AIH impugnado amount=10000 final=-1",
                "\(apac) 2025-10 APAC cobrado_acumulado amount=60000 final=60000",
                "\(apac) 2025-11 APAC anulado amount=45000 final=0",
            ])
        }
    }
}
