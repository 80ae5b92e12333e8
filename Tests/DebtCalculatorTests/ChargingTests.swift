import DebtCalculatorCore
import Foundation
import Models
import Runtime
import Testing

/// Charges and GRUs from `AtendimentosChargeable` (DOMAIN §4), the handler called directly.
@Suite struct ChargingTests {
    @Test func aChargeableSetBecomesOneChargeAndOneGRU() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            // R$ 6.000 + R$ 4.000 charged, the third annulled (deferida, amount 0) and not charged.
            let event = Sample.chargeable(registro: "123456", firstDocument: 1, amounts: ["6000,00", "4000,00", "0"])
            try await fixture.apply(event)

            let charges = try await fixture.emitted(ChargeIssued.self)
            try #require(charges.count == 1)
            #expect(charges[0].chargeID == "7-123456-\(Sample.document(1).value)-\(Sample.chargedCompetencia)")
            #expect(charges[0].total == Sample.money("10000,00"))
            #expect(charges[0].atendimentos.map(\.document) == [Sample.document(1), Sample.document(2)])
            #expect(charges[0].gruNumber?.value == Sample.gru(1))
            #expect(charges[0].accumulatedSmallCharges == .zero)
            #expect(charges[0].issuedOn == Sample.date("2026-03-02"))

            let grus = try await fixture.emitted(GRUIssued.self)
            try #require(grus.count == 1)
            let gru = grus[0]
            #expect(gru.gruNumber.value == "00000010000000001")  // prefix 0000001 + sequence 1
            #expect(gru.purpose == .charge)
            #expect(gru.chargeIDs == [charges[0].chargeID])
            #expect(gru.abis == [Sample.abi(7)])
            #expect(gru.principal == Sample.money("10000,00"))
            #expect(gru.multa == .zero && gru.juros == .zero)
            #expect(gru.amount == Sample.money("10000,00"))
            #expect(gru.dueDate == Sample.date("2026-03-16"))
            #expect(gru.accrualDate == Sample.date("2026-03-16"))
            #expect(gru.linhaDigitavel.count == 47)
            #expect(try Boleto(linhaDigitavel: gru.linhaDigitavel).amount == gru.amount)

            // Redelivered (a new envelope of the same event): nothing changes.
            let before = try await fixture.outboxCount()
            try await fixture.apply(event)
            #expect(try await fixture.outboxCount() == before)
            #expect(try await fixture.scalar("SELECT count(*)::text FROM grus") == "1")
        }
    }

    /// An APAC's competências are released separately (one at the window's end, one after its decision):
    /// same document, different competência, so two charges, the second not mistaken for a replay.
    @Test func twoCompetenciasOfOneAPACBecomeTwoCharges() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            let atWindowEnd = Sample.chargeable(registro: "123456", firstDocument: 1, amounts: ["600,00"])
            var afterDecision = Sample.chargeable(registro: "123456", firstDocument: 1, amounts: ["450,00"],
                                                  paymentDue: "2026-04-06", chargeableOn: "2026-03-20")
            afterDecision.atendimentos[0].competencia = try YearMonth(parsing: "2025-11")
            try await fixture.apply(atWindowEnd)
            try await fixture.apply(afterDecision)

            let charges = try await fixture.emitted(ChargeIssued.self)
            try #require(charges.count == 2)
            #expect(Set(charges.map(\.chargeID)).count == 2)
            #expect(charges.map { $0.atendimentos.map(\.document) } == [[Sample.document(1)], [Sample.document(1)]])
            #expect(charges.map { $0.atendimentos.compactMap(\.competencia).map(\.description) } == [["2025-10"], ["2025-11"]])
            #expect(charges.map(\.total) == [Sample.money("600,00"), Sample.money("450,00")])
            #expect(try await fixture.emitted(GRUIssued.self).count == 2)
            // A replay of either changes nothing.
            try await fixture.apply(afterDecision)
            #expect(try await fixture.emitted(ChargeIssued.self).count == 2)
        }
    }

    @Test func aDecidedChargeIsDueOnABusinessDayAndAccruesFromTheOriginalDueDate() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-20")) { fixture in
            // Payment date Sat 2026-04-04 → Mon 2026-04-06 (Good Friday is 04-03, Easter 04-05).
            try await fixture.apply(Sample.chargeable(registro: "123457", firstDocument: 10, amounts: ["10000,00"],
                                                      originalDue: "2026-03-16", paymentDue: "2026-04-04",
                                                      chargeableOn: "2026-03-20"))
            let gru = try #require(try await fixture.emitted(GRUIssued.self).first)
            #expect(gru.dueDate == Sample.date("2026-04-06"))
            #expect(gru.accrualDate == Sample.date("2026-03-16"))
            // Owed on the due date, from 2026-03-16 (DOMAIN §4-5): 21 days × 0,33% = 6,93% → R$ 693,00;
            // juros: no SELIC month between March and April, + 1% for April → R$ 100,00.
            #expect(gru.multa == Sample.money("693,00"))
            #expect(gru.juros == Sample.money("100,00"))
            #expect(gru.amount == Sample.money("10793,00"))
        }
    }

    @Test func smallChargesAccumulateUntilTheyPassOneHundredReais() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            let registro = "222222"
            try await fixture.apply(Sample.chargeable(abi: 1, registro: registro, firstDocument: 1, amounts: ["60,00"]))
            try await fixture.apply(Sample.chargeable(abi: 2, registro: registro, firstDocument: 2, amounts: ["40,00"]))
            // Annulled only: no charge at all.
            try await fixture.apply(Sample.chargeable(abi: 2, registro: registro, firstDocument: 3, amounts: ["0"]))
            var charges = try await fixture.emitted(ChargeIssued.self)
            #expect(charges.map(\.accumulatedSmallCharges) == [Sample.money("60,00"), Sample.money("100,00")])
            #expect(charges.allSatisfy { $0.gruNumber == nil })  // R$ 100,00 is still "R$ 100,00 or less"
            #expect(try await fixture.emitted(GRUIssued.self).isEmpty)

            try await fixture.apply(Sample.chargeable(abi: 3, registro: registro, firstDocument: 4, amounts: ["0,01"]))
            charges = try await fixture.emitted(ChargeIssued.self)
            #expect(charges.count == 3)
            #expect(charges[2].gruNumber?.value == Sample.gru(1))
            #expect(charges[2].accumulatedSmallCharges == .zero)
            let gru = try #require(try await fixture.emitted(GRUIssued.self).first)
            #expect(gru.principal == Sample.money("100,01"))
            #expect(gru.chargeIDs.count == 3)
            #expect(gru.abis == [Sample.abi(1), Sample.abi(2), Sample.abi(3)])

            // A charge above the threshold gets its own GRU at once.
            try await fixture.apply(Sample.chargeable(abi: 4, registro: registro, firstDocument: 5, amounts: ["100,01"]))
            #expect(try await fixture.emitted(GRUIssued.self).count == 2)
        }
    }
}
