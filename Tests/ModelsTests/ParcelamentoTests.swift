import Models
import PropertyBased
import Testing

@Suite("Parcelamento")
struct ParcelamentoTests {
    let rules = ParcelamentoRules()

    @Test("maximum installments", arguments: [
        ("500.00", 1), ("1999.99", 1), ("2000.00", 2), ("59999.99", 59), ("60000.00", 60), ("1000000.00", 60),
    ])
    func maximum(consolidated: String, expected: Int) {
        #expect(rules.maximumInstallments(consolidated: money(consolidated)) == expected)
    }

    @Test func eligibility() throws {
        try rules.checkEligibility(.emitida)
        #expect(throws: ParcelamentoError.notOpen(.inscritaEmDividaAtiva)) { try rules.checkEligibility(.inscritaEmDividaAtiva) }
        #expect(throws: ParcelamentoError.notOpen(.paga)) { try rules.checkEligibility(.paga) }
        #expect(ParcelamentoError.notOpen(.inscritaEmDividaAtiva).descricao.contains("pfans-i@ans.gov.br"))
    }

    @Test func scheduleByHand() throws {
        let schedule = try rules.schedule(consolidated: money("10000.00"), installments: 3, concessionDate: date("2025-05-15"))
        #expect(schedule.map(\.baseAmount) == [money("3333.33"), money("3333.33"), money("3333.34")])
        #expect(schedule.map(\.dueDate) == [date("2025-05-30"), date("2025-06-30"), date("2025-07-31")])
        #expect(throws: ParcelamentoError.installmentsOutOfRange(requested: 11, maximum: 10)) {
            try rules.schedule(consolidated: money("10000.00"), installments: 11, concessionDate: date("2025-05-15"))
        }
    }

    @Test func lastInstallmentAbsorbsRoundingEvenBelowTheMinimum() throws {
        // 60000.30 / 60 = 1000.005 → base 1000.01; the last absorbs −0.29 (DOMAIN §6 as written).
        let schedule = try rules.schedule(consolidated: money("60000.30"), installments: 60, concessionDate: date("2025-05-15"))
        #expect(schedule[0].baseAmount == money("1000.01"))
        #expect(schedule[59].baseAmount == money("999.71"))
    }

    @Test func firstInstallmentNotBeforeConcession() throws {
        // Concession on Saturday 2025-05-31, after the month's last business day (05-30).
        let schedule = try rules.schedule(consolidated: money("5000.00"), installments: 2, concessionDate: date("2025-05-31"))
        #expect(schedule[0].dueDate == date("2025-06-02"))
        #expect(schedule[1].dueDate == date("2025-06-30"))
    }

    @Test func installmentUpdatedBySelic() throws {
        let concession = date("2025-05-15")
        // Paid in the concession month: base only.
        #expect(try rules.installmentAmount(base: money("3333.33"), concessionDate: concession,
                                            paymentDate: date("2025-05-30")).amount == money("3333.33"))
        // Paid in 06/2025: + 1% only.
        #expect(try rules.installmentAmount(base: money("3333.33"), concessionDate: concession,
                                            paymentDate: date("2025-06-30")).amount == money("3366.66"))
        // Paid in 07/2025: SELIC 06/2025 (1.10) + 1% = 2.10%; 3333.33 × 1.021 = 3403.3299… → 3403.33.
        let july = try rules.installmentAmount(base: money("3333.33"), concessionDate: concession,
                                               paymentDate: date("2025-07-31"))
        #expect(july.updateRate == Percent(basisPoints: 210))
        #expect(july.amount == money("3403.33"))
        #expect(july.selicMonths.map(\.month) == [month("2025-06")])
        #expect(throws: LateChargeError.self) {
            try rules.installmentAmount(base: money("100"), concessionDate: concession, paymentDate: date("2026-10-01"))
        }
    }

    @Test func rescissionAfterThreeMissed() throws {
        let schedule = try rules.schedule(consolidated: money("6000.00"), installments: 6, concessionDate: date("2025-01-10"))
        let missed = rules.missedInstallments(schedule, paid: [1, 3], asOf: date("2025-05-05"))
        #expect(missed == [2, 4])
        #expect(!rules.isRescinded(missedCount: missed.count))
        let later = rules.missedInstallments(schedule, paid: [1, 3], asOf: date("2025-06-02"))
        #expect(later == [2, 4, 5])
        #expect(rules.isRescinded(missedCount: later.count))
    }

    @Test func reparcelamentoFirstPayment() {
        #expect(rules.reparcelamentoFirstPayment(debt: money("12345.67"), alreadyReparcelled: false) == money("1234.57"))
        #expect(rules.reparcelamentoFirstPayment(debt: money("12345.67"), alreadyReparcelled: true) == money("2469.13"))
    }

    @Test func consolidatedDebt() throws {
        let total = try rules.consolidatedDebt(
            of: [(money("10000.00"), date("2025-04-30")), (money("10000.00"), date("2026-03-16"))],
            concessionDate: date("2025-06-10"), calculator: LateChargeCalculator())
        #expect(total == money("21567.00"))
    }

    @Test("installments always add up to the consolidated debt, each at least the minimum")
    func installmentsSumExactly() async {
        let days = Gen.int(in: date("2010-01-01").dayNumber...date("2035-12-31").dayNumber)
        await propertyCheck(count: 500, input: Gen.int64(in: 1...50_000_000_00), days, Gen.int(in: 1...60)) {
            centavos, day, requested in
            let consolidated = Money(centavos: centavos)
            let n = min(requested, rules.maximumInstallments(consolidated: consolidated))
            let schedule = try rules.schedule(consolidated: consolidated, installments: n,
                                              concessionDate: CivilDate(dayNumber: day))
            #expect(Money.sum(schedule.map(\.baseAmount)) == consolidated)
            #expect(schedule.count == n)
            if n > 1 {
                #expect(schedule.dropLast().allSatisfy { $0.baseAmount >= Money(reais: 1000) })
                // The last absorbs the rounding (DOMAIN §6): at most half a centavo per other installment below.
                #expect(schedule.last!.baseAmount.centavos >= 100_000 - Int64(n - 1) / 2)
            }
            #expect(zip(schedule, schedule.dropFirst()).allSatisfy { $0.dueDate < $1.dueDate })
            #expect(schedule.allSatisfy { rules.calendar.isBusinessDay($0.dueDate) })
        }
    }
}

@Suite("Valuation and small debts")
struct ValuationTests {
    @Test("IVR from 2008-01, legacy value before", arguments: [
        ("2008-01", "100.01", "150.02", Valuation.Basis.ivr), ("2025-03", "1234.56", "1851.84", .ivr),
        ("2025-03", "0.01", "0.02", .ivr), ("2007-12", "100.01", "100.01", .legacyValue),
    ])
    func valuation(competencia: String, value: String, expected: String, basis: Valuation.Basis) {
        let result = Valuation.amountToReimburse(value: money(value), competencia: month(competencia))
        #expect(result.amount == money(expected))
        #expect(result.basis == basis)
    }

    @Test func smallDebtThreshold() {
        #expect(!SmallDebtRule.shouldIssueGRU(accumulated: money("100.00")))
        #expect(SmallDebtRule.shouldIssueGRU(accumulated: money("100.01")))
    }

    @Test func gruStates() {
        #expect(GRUState.pagaComAtraso.rotulo == "paga com atraso")
        #expect(GRUState.inscritaEmDividaAtiva.contactEmail == "pfans-i@ans.gov.br")
        #expect(GRUState.parcelada.contactEmail == "parcelamentosus@ans.gov.br")
        #expect(GRUState.emitida.contactEmail == "ressarcimento@ans.gov.br")
    }
}
