import DebtCalculatorCore
import Foundation
import Models
import Runtime
import Testing

/// Payment matching (DOMAIN §5, §7) through `PaymentReceived` and operator requests; expected amounts
/// computed by hand from DOMAIN.md's rules.
@Suite struct PaymentTests {
    /// Five GRUs of R$ 10.000,00 each, due and accruing from Mon 2026-03-16, numbers 1 to 5.
    static func fiveGRUs(_ fixture: DebtFixture, registro: String = "333333") async throws {
        for n in 1...5 {
            try await fixture.apply(Sample.chargeable(abi: n, registro: registro, firstDocument: n, amounts: ["10000,00"]))
        }
    }

    @Test func onTimeLatePartialOverAndFlaggedPayments() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            try await Self.fiveGRUs(fixture)
            let (g1, g2, g3, g4) = (Sample.gru(1), Sample.gru(2), Sample.gru(3), Sample.gru(4))

            // On time: the principal only.
            try await fixture.pay(g1, "10000,00", on: "2026-03-16", id: "A1")
            // Late, exact (DOMAIN §5 example): 15 days × 0,33% = 4,95% → R$ 495,00; same month, juros 0.
            try await fixture.pay(g2, "10495,00", on: "2026-03-31", id: "A2")
            // Partial: R$ 5.000,00 of R$ 10.495,00, split in proportion: principal 10000 × 5000/10495 =
            // 4764,173… → 4764,17; multa 495 × 5000/10495 = 235,826… → 235,83; juros 0.
            try await fixture.pay(g3, "5000,00", on: "2026-03-31", id: "A3")
            // Over: R$ 10.600,00 against R$ 10.495,00 → credit R$ 105,00.
            try await fixture.pay(g4, "10600,00", on: "2026-03-31", id: "A4")
            // Unknown GRU, the same payment again, an already paid GRU.
            try await fixture.pay("99999990000000001", "150,00", on: "2026-03-31", id: "A5")
            try await fixture.pay(g1, "10000,00", on: "2026-03-16", id: "A1")
            try await fixture.pay(g2, "10,00", on: "2026-04-01", id: "A6")

            let recorded = try await fixture.emitted(PaymentRecorded.self)
            #expect(recorded.map(\.classification) == [.onTime, .late, .partial, .over, .unknownGRU, .duplicate, .duplicate])
            #expect(recorded.map(\.paymentID) == ["A1", "A2", "A3", "A4", "A5", "A1#2", "A6"])
            #expect(recorded[1].dueOnPaymentDate == Sample.money("10495,00"))
            #expect(recorded[3].credit == Sample.money("105,00"))
            #expect(recorded[4].registroANS == nil)
            #expect(recorded.filter(\.classification.isFlagged).count == 3)

            let settled = try await fixture.emitted(PaymentSettled.self)
            try #require(settled.count == 4)
            #expect(settled.map(\.principal) == ["10000,00", "10000,00", "4764,17", "10000,00"].map(Sample.money))
            #expect(settled.map(\.multa) == ["0", "495,00", "235,83", "495,00"].map(Sample.money))
            #expect(settled.map(\.juros) == [Money.zero, .zero, .zero, .zero])
            #expect(settled.map(\.total) == ["10000,00", "10495,00", "5000,00", "10495,00"].map(Sample.money))

            #expect(try await fixture.state(of: g1) == "paga")
            #expect(try await fixture.state(of: g2) == "paga_com_atraso")
            #expect(try await fixture.state(of: g3) == "emitida")
            #expect(try await fixture.state(of: g4) == "paga_com_atraso")
            #expect(try await fixture.scalar("SELECT open_principal::text FROM grus WHERE gru_number = $1", [g3]) == "523583")
            #expect(try await fixture.scalar("SELECT credit::text FROM grus WHERE gru_number = $1", [g4]) == "10500")
            // Every payment is kept, flagged ones included.
            #expect(try await fixture.scalar("SELECT count(*)::text FROM payments") == "7")

            let changes = try await fixture.emitted(GRUStateChanged.self)
            let partial = try #require(changes.first { $0.gruNumber.value == g3 })
            #expect(partial.previousState == .emitida && partial.state == .emitida)
            #expect(partial.openPrincipal == Sample.money("5235,83"))
            #expect(partial.paidTotal == Sample.money("5000,00"))

            // The remainder as of the same day: 5235,83 + 4,95% (259,173… → 259,17) = 5495,00.
            let position = try await fixture.position("333333", asOf: "2026-03-31")
            let open = try #require(position.grus.first { $0.gru.value == g3 })
            #expect(open.multa == Sample.money("259,17"))
            #expect(open.total == Sample.money("5495,00"))
            try await fixture.pay(g3, "5495,00", on: "2026-03-31", id: "A7")
            #expect(try await fixture.state(of: g3) == "paga_com_atraso")
            #expect(try await fixture.scalar("SELECT open_principal::text FROM grus WHERE gru_number = $1", [g3]) == "0")
            let last = try #require(try await fixture.emitted(PaymentSettled.self).last)
            #expect(last.principal == Sample.money("5235,83") && last.multa == Sample.money("259,17"))
        }
    }

    @Test func reissueCancelsTheGRUAndChargesAcrescimosToTheNewDueDate() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            try await Self.fiveGRUs(fixture)
            try await fixture.advance(to: Sample.date("2026-04-20"))
            let outcome = try await fixture.request(.reissue(gru: try GRUNumber(Sample.gru(5)), dueDate: Sample.date("2026-04-30")))
            #expect(outcome.accepted, "\(outcome.message)")
            // 2026-03-16 → 2026-04-30: 45 days × 0,33% = 14,85% → R$ 1.485,00; juros: no SELIC month
            // between March and April, + 1% for April → R$ 100,00; total R$ 11.585,00.
            let reissued = try #require(try await fixture.emitted(GRUIssued.self).last)
            #expect(reissued.gruNumber.value == Sample.gru(6))
            #expect(reissued.purpose == .reissue)
            #expect(reissued.replaces?.value == Sample.gru(5))
            #expect(reissued.dueDate == Sample.date("2026-04-30"))
            #expect(reissued.accrualDate == Sample.date("2026-03-16"))
            #expect(reissued.multa == Sample.money("1485,00"))
            #expect(reissued.juros == Sample.money("100,00"))
            #expect(reissued.amount == Sample.money("11585,00"))
            #expect(outcome.message.contains("total R$ 11.585,00"), "\(outcome.message)")
            let cancelled = try #require(try await fixture.emitted(GRUStateChanged.self).last)
            #expect(cancelled.gruNumber.value == Sample.gru(5) && cancelled.state == .cancelada)
            #expect(cancelled.replacedBy?.value == Sample.gru(6))

            // Paying the cancelled one is flagged; the new one by its due date is on time.
            try await fixture.pay(Sample.gru(5), "10000,00", on: "2026-04-22", id: "R1")
            try await fixture.pay(Sample.gru(6), "11585,00", on: "2026-04-30", id: "R2")
            let recorded = try await fixture.emitted(PaymentRecorded.self)
            #expect(recorded.map(\.classification) == [.cancelledGRU, .onTime])
            #expect(try await fixture.state(of: Sample.gru(6)) == "paga")
            let settled = try #require(try await fixture.emitted(PaymentSettled.self).last)
            #expect(settled.principal == Sample.money("10000,00"))
            #expect(settled.multa == Sample.money("1485,00") && settled.juros == Sample.money("100,00"))

            // Not open any more: refused.
            let again = try await fixture.request(.reissue(gru: try GRUNumber(Sample.gru(5)), dueDate: nil))
            #expect(!again.accepted)
            #expect(again.message.contains("cancelada"), "\(again.message)")
            // A due date needing SELIC months the seed table lacks (it ends at 2026-07): refused.
            let beyond = try await fixture.request(.reissue(gru: try GRUNumber(Sample.gru(4)), dueDate: Sample.date("2026-09-30")))
            #expect(!beyond.accepted)
            // SELIC months summed: 2026-04 through 2026-08 (the month before September); 2026-08 is missing.
            #expect(beyond.message.contains("não tem a taxa de 08/2026;"), "\(beyond.message)")
            #expect(try await fixture.state(of: Sample.gru(4)) == "emitida")
        }
    }

    @Test func aBankReturnFileIsMatchedByTheService() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            try await Self.fiveGRUs(fixture)
            let text = """
                # retorno do banco
                id_pagamento;gru;valor;data_pagamento;origem
                B1;\(Sample.gru(1));10.000,00;2026-03-16;banco-001
                B2;\(Sample.gru(2));abc;2026-03-16;banco-001
                B3;123;50,00;16/03/2026;banco-001
                B4;\(Sample.gru(3));100,00;2026-02-30;banco-001
                B5;\(Sample.gru(4));1000,00;2026-03-16
                """
            let parsed = try PaymentFile.parse(text)
            #expect(parsed.payments.map(\.row) == [3, 5])
            #expect(parsed.errors.map(\.row) == [4, 6, 7])
            #expect(parsed.errors[0].description.contains("linha 4: valor 'abc' inválido"), "\(parsed.errors[0])")
            #expect(parsed.errors[2].reason.contains("esperados 5 campos"), "\(parsed.errors[2])")
            #expect(throws: PaymentFileError.self) { try PaymentFile.parse("gru;valor\n1;2") }
            // A byte-order mark before the header is ignored.
            #expect(try PaymentFile.parse("\u{FEFF}" + text).payments.count == 2)

            let outcome = try await fixture.request(.importPayments(file: "retorno.csv", rows: 2), payments: parsed.payments)
            #expect(outcome.accepted)
            #expect(outcome.result["em_dia"] == "1" && outcome.result["gru_desconhecida"] == "1", "\(outcome.result)")
            #expect(outcome.message.contains("1 sinalizado(s)"), "\(outcome.message)")
            #expect(try await fixture.state(of: Sample.gru(1)) == "paga")
        }
    }
}
