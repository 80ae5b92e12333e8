@testable import LoadReplay
import Models
import Testing

/// Which GRUs the replay pays how, and for how much (DOMAIN §5 acréscimos through the rules library).
@Suite struct ReplayPaymentPlanTests {
    let plan = ReplayPaymentPlan(onTimePerMille: 700, latePerMille: 150, partialPerMille: 50)
    let calculator = LateChargeCalculator()

    func date(_ text: String) throws -> CivilDate { try CivilDate(parsing: text) }

    func gru(_ number: String, bucket: Int, due: String = "2026-03-16", accrual: String? = nil) throws -> ReplayPaymentPlan.OpenGRU {
        .init(number: number, openPrincipal: Money(centavos: 1_000_000), dueDate: try date(due),
              accrualDate: try date(accrual ?? due), bucket: bucket)
    }

    @Test func bucketsFollowTheShares() {
        #expect([0, 699, 700, 849, 850, 899, 900, 999].map(plan.kind(bucket:))
                == [.onTime, .onTime, .late, .late, .partial, .partial, .unpaid, .unpaid])
        #expect(ReplayPaymentPlan(onTimePerMille: 0, latePerMille: 0, partialPerMille: 0).kind(bucket: 0) == .unpaid)
    }

    @Test func onTimePaysThePrincipalAndPartialHalfOfIt() throws {
        let grus = [try gru("1", bucket: 10), try gru("2", bucket: 860), try gru("3", bucket: 710), try gru("4", bucket: 950)]
        let payments = plan.payments(of: grus, kinds: [.onTime, .partial], on: try date("2026-03-02"), calculator: calculator)
        #expect(payments.map(\.gru) == ["1", "2"])
        #expect(payments.map(\.kind) == [.onTime, .partial])
        #expect(payments.map(\.amount) == [Money(centavos: 1_000_000), Money(centavos: 500_000)])
        #expect(payments.allSatisfy { $0.due.multa == .zero && $0.due.juros == .zero })
        // After the due date neither is paid "on time".
        #expect(plan.payments(of: grus, kinds: [.onTime, .partial], on: try date("2026-03-17"), calculator: calculator).isEmpty)
    }

    @Test func latePaysTheAcrescimosDueOnThePaymentDate() throws {
        // DOMAIN §5 worked example: R$10,000.00 due 2026-03-16, paid 2026-03-31: multa 4.95%, juros 0.
        let grus = [try gru("1", bucket: 10), try gru("2", bucket: 800)]
        #expect(plan.payments(of: grus, kinds: [.late], on: try date("2026-03-16"), calculator: calculator).isEmpty)
        let payments = plan.payments(of: grus, kinds: [.late], on: try date("2026-03-31"), calculator: calculator)
        #expect(payments.map(\.gru) == ["2"])
        #expect(payments.first?.amount == Money(centavos: 1_049_500))
        #expect(payments.first?.due.multa == Money(centavos: 49_500) && payments.first?.due.juros == .zero)
        // Due 2025-04-30, paid 2025-06-10: multa 13.53%, juros SELIC 2025-05 (1.14) + 1%: R$11,567.00.
        let other = try gru("3", bucket: 800, due: "2025-04-30")
        #expect(plan.payments(of: [other], kinds: [.late], on: try date("2025-06-10"), calculator: calculator).first?.amount
                == Money(centavos: 1_156_700))
    }

    @Test func aGRUAfterADecisionAccruesFromTheOriginalDueDateEvenWhenPaidInTime() throws {
        // Charged after a final decision: due 2026-03-31, accruing from 2026-03-16 (DOMAIN §4).
        let decided = try gru("1", bucket: 0, due: "2026-03-31", accrual: "2026-03-16")
        let payment = plan.payments(of: [decided], kinds: [.onTime], on: try date("2026-03-31"), calculator: calculator).first
        #expect(payment?.kind == .onTime)
        #expect(payment?.amount == Money(centavos: 1_049_500))
    }

    @Test func partialIsHalfRoundedDownAndNeverZero() {
        #expect(ReplayPaymentPlan.partialAmount(due: Money(centavos: 1)) == Money(centavos: 1))
        #expect(ReplayPaymentPlan.partialAmount(due: Money(centavos: 3)) == Money(centavos: 1))
        #expect(ReplayPaymentPlan.partialAmount(due: Money(centavos: 10_001)) == Money(centavos: 5_000))
    }

    @Test func theBankReturnFileHasOneLinePerPayment() throws {
        let payments = plan.payments(of: [try gru("00000010000000001", bucket: 1)], kinds: [.onTime],
                                     on: try date("2026-03-02"), calculator: calculator)
        #expect(ReplayPaymentPlan.file(payments, prefix: "CARGA") == """
            id_pagamento;gru;valor;data_pagamento;origem
            CARGA-00000010000000001;00000010000000001;R$ 10.000,00;2026-03-02;carga

            """)
    }
}

/// Which operadoras the replay asks a parcelamento for, over which GRUs, in how many installments.
@Suite struct ReplayParcelamentoTests {
    let plan = ReplayPaymentPlan(onTimePerMille: 700, latePerMille: 150, partialPerMille: 50)

    func gru(_ number: String, _ registro: String, reais: Int64, bucket: Int) throws -> ReplayPaymentPlan.OpenGRU {
        .init(number: number, registroANS: registro, openPrincipal: Money(centavos: reais * 100),
              dueDate: try CivilDate(parsing: "2026-03-16"), accrualDate: try CivilDate(parsing: "2026-03-16"), bucket: bucket)
    }

    @Test func theLargestUnpaidDebtsAreParcelledWholeInAtMostThreeInstallments() throws {
        let grus = [
            try gru("5", "300001", reais: 4_000, bucket: 950), try gru("1", "300001", reais: 3_000, bucket: 999),
            try gru("2", "300002", reais: 9_000, bucket: 10),   // paid on time: not parcelled
            try gru("3", "300002", reais: 1_500, bucket: 920),
            try gru("4", "300003", reais: 12_000, bucket: 960),
            try gru("6", "300004", reais: 800, bucket: 901),
        ]
        let chosen = ReplayParcelamento.choose(3, among: grus, plan: plan, rules: ParcelamentoRules()) {
            Money.sum($0.map(\.openPrincipal))
        }
        #expect(chosen.map(\.registroANS) == ["300003", "300001", "300002"])
        #expect(chosen.map(\.grus) == [["4"], ["1", "5"], ["3"]])
        #expect(chosen.map(\.principal) == [Money(centavos: 1_200_000), Money(centavos: 700_000), Money(centavos: 150_000)])
        // min(3, floor(C / R$1.000)), at least 1 (DOMAIN §6).
        #expect(chosen.map(\.installments) == [3, 3, 1])
        #expect(ReplayParcelamento.choose(0, among: grus, plan: plan, rules: ParcelamentoRules()) { _ in .zero }.isEmpty)
    }
}
