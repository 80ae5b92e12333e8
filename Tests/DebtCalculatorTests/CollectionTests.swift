import DebtCalculatorCore
import Foundation
import Models
import Runtime
import Testing

/// CADIN, dívida ativa and suspensão judicial through the scheduler under a simulated clock (DOMAIN §7).
@Suite struct CollectionTests {
    @Test func cadinDividaAtivaAndSuspensao() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            let registro = "444444"
            // Charged Mon 2026-03-02, due Mon 2026-03-16. CADIN: 03-02 + 75 days = Sat 05-16 → Mon 05-18,
            // registered once that day has passed. Dívida ativa: 03-16 + 90 = Sun 06-14 → Mon 06-15.
            for n in 1...3 {
                try await fixture.apply(Sample.chargeable(abi: n, registro: registro, firstDocument: n, amounts: ["10000,00"]))
            }
            let (x, y, z) = (Sample.gru(1), Sample.gru(2), Sample.gru(3))
            try await fixture.advance(to: Sample.date("2026-05-18"))
            #expect(try await fixture.emitted(CADINChanged.self).isEmpty)
            try await fixture.advance(to: Sample.date("2026-05-19"))
            var cadin = try await fixture.emitted(CADINChanged.self)
            #expect(cadin.map(\.gruNumber.value) == [x, y, z])
            #expect(cadin.allSatisfy { $0.registered && $0.effectiveOn == Sample.date("2026-05-19") })

            try await fixture.advance(to: Sample.date("2026-05-20"))
            let suspended = try await fixture.request(.suspend(gru: try GRUNumber(y), process: "0001234-56.2026.4.02.5101"))
            #expect(suspended.accepted, "\(suspended.message)")
            #expect(try await fixture.state(of: y) == "suspensa_judicialmente")

            // Paid on 2026-05-25: 70 days → multa capped at 20% = R$ 2.000,00; juros: SELIC 2026-04 (1,09)
            // + 1% for May = 2,09% → R$ 209,00; total R$ 12.209,00. Payment removes CADIN.
            try await fixture.pay(x, "12209,00", on: "2026-05-25")
            #expect(try await fixture.state(of: x) == "paga_com_atraso")
            let settled = try #require(try await fixture.emitted(PaymentSettled.self).last)
            #expect(settled.multa == Sample.money("2000,00") && settled.juros == Sample.money("209,00"))
            cadin = try await fixture.emitted(CADINChanged.self)
            #expect(cadin.dropFirst(3).map { "\($0.gruNumber.value) \($0.registered)" } == ["\(y) false", "\(x) false"])

            // Dívida ativa for the unpaid one; the suspended one is skipped.
            try await fixture.advance(to: Sample.date("2026-06-16"))
            #expect(try await fixture.state(of: z) == "inscrita_em_divida_ativa")
            #expect(try await fixture.state(of: y) == "suspensa_judicialmente")

            let wrong = try await fixture.request(.lift(gru: try GRUNumber(y), process: "outro"))
            #expect(!wrong.accepted)
            try await fixture.advance(to: Sample.date("2026-06-17"))
            let lifted = try await fixture.request(.lift(gru: try GRUNumber(y), process: "0001234-56.2026.4.02.5101"))
            #expect(lifted.accepted, "\(lifted.message)")
            // Both dates passed while suspended: CADIN and dívida ativa at once.
            #expect(try await fixture.state(of: y) == "inscrita_em_divida_ativa")
            let last = try #require(try await fixture.emitted(CADINChanged.self).last)
            #expect(last.gruNumber.value == y && last.registered && last.effectiveOn == Sample.date("2026-06-17"))
            let changes = try await fixture.emitted(GRUStateChanged.self).filter { $0.gruNumber.value == y }
            #expect(changes.map(\.state) == [.suspensaJudicialmente, .emitida, .inscritaEmDividaAtiva])
            #expect(changes[0].courtProcess == "0001234-56.2026.4.02.5101")

            // The position shows the states and CADIN.
            let position = try await fixture.position(registro, asOf: "2026-06-17")
            #expect(position.grus.map(\.state) == [.pagaComAtraso, .inscritaEmDividaAtiva, .inscritaEmDividaAtiva])
            #expect(position.grus.map(\.inCadin) == [false, true, true])
        }
    }
}
