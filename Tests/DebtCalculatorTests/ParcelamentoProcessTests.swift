import DebtCalculatorCore
import Foundation
import Models
import Runtime
import Testing

/// Parcelamento (DOMAIN §6): request, installment GRUs, SELIC + 1% update, deferimento, indeferimento
/// and rescission, with the scheduler under a simulated clock.
@Suite struct ParcelamentoProcessTests {
    @Test func grantedIndeferidoAndRescinded() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            let registro = "555555"
            // GRU 1: R$ 30.000,00; GRU 2: R$ 5.000,00; GRU 3: R$ 2.000,00 — all due 2026-03-16.
            for (n, amount) in ["30000,00", "5000,00", "2000,00"].enumerated() {
                try await fixture.apply(Sample.chargeable(abi: n + 1, registro: registro, firstDocument: n + 1, amounts: [amount]))
            }
            try await fixture.advance(to: Sample.date("2026-03-16"))
            let operadora = Sample.registro(registro)

            // C = R$ 30.000,00 on the due date (no acréscimos): at most min(60, 30) = 30 installments.
            let tooMany = try await fixture.request(.parcelamento(registroANS: operadora, grus: [try GRUNumber(Sample.gru(1))], installments: 31))
            #expect(!tooMany.accepted)
            #expect(tooMany.message.contains("o permitido é de 1 a 30"), "\(tooMany.message)")

            let granted = try await fixture.request(.parcelamento(registroANS: operadora, grus: [try GRUNumber(Sample.gru(1))], installments: 3))
            #expect(granted.accepted, "\(granted.message)")
            let planA = try #require(granted.result["parcelamento"])
            #expect(try await fixture.state(of: Sample.gru(1)) == "parcelada")
            // Installment 1: R$ 10.000,00, due on the last business day of March (Tue 03-31).
            var installments = try await fixture.emitted(GRUIssued.self).filter { $0.purpose == .installment }
            #expect(installments.map(\.installment) == [1])
            #expect(installments[0].principal == Sample.money("10000,00"))
            #expect(installments[0].dueDate == Sample.date("2026-03-31"))
            #expect(installments[0].parcelamentoID == planA)

            let second = try await fixture.request(.parcelamento(registroANS: operadora, grus: [try GRUNumber(Sample.gru(2))], installments: 4))
            let planB = try #require(second.result["parcelamento"])
            let third = try await fixture.request(.parcelamento(registroANS: operadora, grus: [try GRUNumber(Sample.gru(3))], installments: 1))
            let planC = try #require(third.result["parcelamento"])
            installments = try await fixture.emitted(GRUIssued.self).filter { $0.purpose == .installment }
            #expect(installments.count == 3)
            // Plan B: R$ 5.000,00 / 4 = R$ 1.250,00.
            #expect(installments[1].principal == Sample.money("1250,00"))

            // First installments of A and B paid in the concession month: no update; plan C not paid.
            try await fixture.pay(installments[0].gruNumber.value, "10000,00", on: "2026-03-31")
            try await fixture.pay(installments[1].gruNumber.value, "1250,00", on: "2026-03-31")
            var plans = try await fixture.emitted(ParcelamentoChanged.self)
            #expect(plans.last { $0.parcelamentoID == planA }?.state == .deferido)
            #expect(plans.last { $0.parcelamentoID == planB }?.state == .deferido)

            // April 1st: C indeferido (first installment unpaid), GRU 3 back to collection in full;
            // installment 2 GRUs of A and B issued.
            try await fixture.advance(to: Sample.date("2026-04-01"))
            plans = try await fixture.emitted(ParcelamentoChanged.self)
            #expect(plans.last { $0.parcelamentoID == planC }?.state == .indeferido)
            #expect(try await fixture.state(of: Sample.gru(3)) == "emitida")
            #expect(try await fixture.scalar("SELECT open_principal::text FROM grus WHERE gru_number = $1", [Sample.gru(3)]) == "200000")
            installments = try await fixture.emitted(GRUIssued.self).filter { $0.purpose == .installment && $0.installment == 2 }
            #expect(installments.count == 2)
            #expect(installments.allSatisfy { $0.dueDate == Sample.date("2026-04-30") })

            // A's installment 2 paid 2026-04-30: SELIC from April through March (none) + 1% = R$ 10.100,00.
            let a2 = try #require(installments.first { $0.parcelamentoID == planA })
            try await fixture.pay(a2.gruNumber.value, "10100,00", on: "2026-04-30")
            let settled = try #require(try await fixture.emitted(PaymentSettled.self).last)
            #expect(settled.principal == Sample.money("10000,00") && settled.juros == Sample.money("100,00"))
            #expect(try await fixture.emitted(PaymentRecorded.self).last?.classification == .onTime)

            // B misses installments 2 (04-30), 3 (05-29) and 4 (06-30): rescinded on 07-01; the unpaid
            // share R$ 3.750,00 / R$ 5.000,00 of the principal returns to GRU 2, already past its
            // dívida ativa date (06-15).
            try await fixture.advance(to: Sample.date("2026-05-01"))
            try await fixture.advance(to: Sample.date("2026-06-01"))
            try await fixture.advance(to: Sample.date("2026-07-01"))
            plans = try await fixture.emitted(ParcelamentoChanged.self)
            let rescinded = try #require(plans.last { $0.parcelamentoID == planB })
            #expect(rescinded.state == .rescindido)
            #expect(rescinded.missedInstallments == 3 && rescinded.paidInstallments == 1)
            #expect(rescinded.unpaidBalance == Sample.money("3750,00"))
            #expect(try await fixture.scalar("SELECT open_principal::text FROM grus WHERE gru_number = $1", [Sample.gru(2)]) == "375000")
            #expect(try await fixture.state(of: Sample.gru(2)) == "inscrita_em_divida_ativa")
            // A missed installment 3 only: still deferido.
            #expect(plans.last { $0.parcelamentoID == planA }?.state == .deferido)
            #expect(plans.last { $0.parcelamentoID == planA }?.missedInstallments == 1)
        }
    }
}
