import DebtCalculatorCore
import Foundation
import Models
import Runtime
import Testing

/// The as-of position (DOMAIN §5, §9).
@Suite struct PositionTests {
    @Test func openGRUsCarryUpdatedAmountsWithTheMemo() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2025-04-14")) { fixture in
            let registro = "666666"
            // Due 2025-04-30 (DOMAIN §5 example), principal R$ 10.000,00.
            try await fixture.apply(Sample.chargeable(abi: 1, registro: registro, firstDocument: 1, amounts: ["10000,00"],
                                                      originalDue: "2025-04-30", chargeableOn: "2025-04-14"))
            try await fixture.apply(Sample.chargeable(abi: 2, registro: registro, firstDocument: 2, amounts: ["500,00"],
                                                      originalDue: "2025-04-30", chargeableOn: "2025-04-14"))
            try await fixture.pay(Sample.gru(2), "500,00", on: "2025-04-30")

            // As of 2025-06-10: 41 days → 13,53% = R$ 1.353,00; juros SELIC 2025-05 (1,14) + 1% = R$ 214,00;
            // total R$ 11.567,00 (DOMAIN §5 example).
            let position = try await fixture.position(registro, asOf: "2025-06-10")
            #expect(position.grus.count == 2)
            let open = position.grus[0]
            #expect(open.state == .emitida)
            #expect(open.multa == Sample.money("1353,00"))
            #expect(open.juros == Sample.money("214,00"))
            #expect(open.total == Sample.money("11567,00"))
            #expect(open.provisional == false)
            let memo = try #require(open.memo)
            #expect(memo.daysLate == 41)
            #expect(memo.selicMonths.map(\.month.description) == ["2025-05"])
            let paid = position.grus[1]
            #expect(paid.state == .paga && paid.total == nil && paid.paidTotal == Sample.money("500,00"))
            #expect(position.totals.map(\.state) == [.emitida, .paga])
            #expect(position.totals[0].total == Sample.money("11567,00"))
            #expect(!position.provisional)

            // The seed SELIC table ends at 2026-07: as of 2026-09-10 the amounts are provisional.
            let later = try await fixture.position(registro, asOf: "2026-09-10")
            #expect(later.provisional)
            #expect(later.grus[0].memo?.missingSelicMonths.map(\.description) == ["2026-08"])
        }
    }
}
