import Models
import PropertyBased
import Testing

@Suite("Acréscimos moratórios")
struct LateChargeTests {
    let calculator = LateChargeCalculator()

    struct Example: Sendable, CustomStringConvertible {
        let principal: String, due: String, paid: String
        let days: Int, multaRate: Int64, jurosRate: Int64, multa: String, juros: String, total: String
        var description: String { "\(principal) due \(due) paid \(paid)" }
    }

    /// DOMAIN §5 worked examples (first three) and further cases derived by hand from the same rules.
    static let examples: [Example] = [
        // DOMAIN §5: 15 days, multa 4.95%, same month → juros 0.
        Example(principal: "10000.00", due: "2026-03-16", paid: "2026-03-31", days: 15, multaRate: 495, jurosRate: 0,
                multa: "495.00", juros: "0.00", total: "10495.00"),
        // DOMAIN §5: 41 days, 13.53%; SELIC 2025-05 (1.14) + 1%.
        Example(principal: "10000.00", due: "2025-04-30", paid: "2025-06-10", days: 41, multaRate: 1353, jurosRate: 214,
                multa: "1353.00", juros: "214.00", total: "11567.00"),
        // DOMAIN §5: old regime multa 10%; 12/2008 at 1%, SELIC 2009-01 + 2009-02 + 1%.
        Example(principal: "10000.00", due: "2008-11-28", paid: "2009-03-05", days: 97, multaRate: 1000, jurosRate: 391,
                multa: "1000.00", juros: "391.00", total: "11391.00"),
        // Day 60: 19.80%; day 61: capped at 20% (0.33 × 61 = 20.13).
        Example(principal: "10000.00", due: "2025-01-31", paid: "2025-04-01", days: 60, multaRate: 1980,
                jurosRate: 99 + 96 + 100, multa: "1980.00", juros: "295.00", total: "12275.00"),
        Example(principal: "10000.00", due: "2025-01-31", paid: "2025-04-02", days: 61, multaRate: 2000,
                jurosRate: 295, multa: "2000.00", juros: "295.00", total: "12295.00"),
        // Paid on the due date and before: nothing.
        Example(principal: "10000.00", due: "2025-04-30", paid: "2025-04-30", days: 0, multaRate: 0, jurosRate: 0,
                multa: "0.00", juros: "0.00", total: "10000.00"),
        Example(principal: "10000.00", due: "2025-04-30", paid: "2025-03-01", days: 0, multaRate: 0, jurosRate: 0,
                multa: "0.00", juros: "0.00", total: "10000.00"),
        // Entirely before 2009: 10% multa, 1% per month or fraction (06 and 07/2008).
        Example(principal: "10000.00", due: "2008-05-10", paid: "2008-07-05", days: 56, multaRate: 1000, jurosRate: 200,
                multa: "1000.00", juros: "200.00", total: "11200.00"),
        // Regime boundary: due 2008-12-03 is old (10%), due 2008-12-04 is daily (6 × 0.33); same month → no juros.
        Example(principal: "10000.00", due: "2008-12-03", paid: "2008-12-10", days: 7, multaRate: 1000, jurosRate: 0,
                multa: "1000.00", juros: "0.00", total: "11000.00"),
        Example(principal: "10000.00", due: "2008-12-04", paid: "2008-12-10", days: 6, multaRate: 198, jurosRate: 0,
                multa: "198.00", juros: "0.00", total: "10198.00"),
        // Due 2008-12-04, paid 2009-01-15: multa capped? 42 days = 13.86%; juros: no SELIC month, 1% for 01/2009.
        Example(principal: "10000.00", due: "2008-12-04", paid: "2009-01-15", days: 42, multaRate: 1386, jurosRate: 100,
                multa: "1386.00", juros: "100.00", total: "11486.00"),
        // Rounding: 1234.57 × 13.53% = 167.037321 → 167.04; × 2.14% = 26.419798 → 26.42.
        Example(principal: "1234.57", due: "2025-04-30", paid: "2025-06-10", days: 41, multaRate: 1353, jurosRate: 214,
                multa: "167.04", juros: "26.42", total: "1428.03"),
        // Long mora: SELIC 2024-01..2024-12 (10.38) + 1% in 01/2025; multa capped.
        Example(principal: "500.00", due: "2023-12-29", paid: "2025-01-10", days: 378, multaRate: 2000, jurosRate: 1138,
                multa: "100.00", juros: "56.90", total: "656.90"),
    ]

    @Test("worked examples", arguments: examples)
    func example(_ e: Example) throws {
        let result = try calculator.calculate(principal: money(e.principal), dueDate: date(e.due), asOf: date(e.paid))
        #expect(result.memo.daysLate == e.days)
        #expect(result.memo.multaRate == Percent(basisPoints: e.multaRate))
        #expect(result.memo.jurosRate == Percent(basisPoints: e.jurosRate))
        #expect(result.multa == money(e.multa))
        #expect(result.juros == money(e.juros))
        #expect(result.total == money(e.total))
        #expect(!result.isProvisional)
        let fast = calculator.amounts(principal: money(e.principal), dueDate: date(e.due), asOf: date(e.paid))
        #expect((fast.multa, fast.juros, fast.total) == (result.multa, result.juros, result.total))
    }

    @Test func memoOfTheMixedRegimeExample() throws {
        let result = try calculator.calculate(principal: money("10000.00"), dueDate: date("2008-11-28"),
                                              asOf: date("2009-03-05"))
        let memo = result.memo
        #expect(memo.multaRegime == .legacyFlat)
        #expect(memo.legacyJurosMonths == [month("2008-12")])
        #expect(memo.legacyJurosRate == Percent(whole: 1))
        #expect(memo.selicMonths == [
            SelicMonthRate(month: month("2009-01"), rate: Percent(basisPoints: 105)),
            SelicMonthRate(month: month("2009-02"), rate: Percent(basisPoints: 86)),
        ])
        #expect(memo.selicSum == Percent(basisPoints: 191))
        #expect(memo.paymentMonthRate == Percent(whole: 1))
        #expect(memo.selicTableVersion == SelicTable.seedVersion)
        #expect(memo.legalSources.contains { $0.contains("Lei 9.656/1998") })
        #expect(memo.legalSources.contains { $0.contains("Lei 9.430/1996 art. 61 §3") })
        #expect(result.relatorio.contains("01/2009  1,05%"))
    }

    @Test func capIsFlaggedInMemo() throws {
        let result = try calculator.calculate(principal: money("100"), dueDate: date("2025-01-31"), asOf: date("2025-04-02"))
        #expect(result.memo.multaCapped)
        #expect(result.memo.multaRegime == .dailyCapped)
    }

    @Test func missingSelicMonthsAreAnErrorNamingThem() {
        // The seed ends at 2026-07: paying in 10/2026 needs 07, 08 and 09.
        #expect(throws: LateChargeError.missingSelicMonths([month("2026-08"), month("2026-09")],
                                                           tableVersion: SelicTable.seedVersion)) {
            try calculator.calculate(principal: money("1000.00"), dueDate: date("2026-06-30"), asOf: date("2026-10-15"))
        }
    }

    @Test func provisionalResultIsFlagged() throws {
        let result = try calculator.calculate(principal: money("1000.00"), dueDate: date("2026-06-30"),
                                              asOf: date("2026-10-15"), allowingProvisional: true)
        #expect(result.isProvisional)
        #expect(result.memo.missingSelicMonths == [month("2026-08"), month("2026-09")])
        #expect(result.memo.jurosRate == Percent(basisPoints: 122 + 100))  // only 07/2026 known, + 1%
        #expect(result.relatorio.contains("PROVISÓRIO"))
        #expect(calculator.amounts(principal: money("1000.00"), dueDate: date("2026-06-30"),
                                   asOf: date("2026-10-15")).missingSelicMonthCount == 2)
    }

    @Test func extendedTableCompletesTheCalculation() throws {
        let table = try SelicTable.seed.extended(
            with: [month("2026-08"): Percent(basisPoints: 118), month("2026-09"): Percent(basisPoints: 111)],
            version: "teste-2026-09")
        let result = try LateChargeCalculator(selic: table).calculate(
            principal: money("1000.00"), dueDate: date("2026-06-30"), asOf: date("2026-10-15"))
        #expect(result.memo.jurosRate == Percent(basisPoints: 122 + 118 + 111 + 100))
        #expect(result.juros == money("45.10"))
        #expect(result.memo.selicTableVersion == "teste-2026-09")
    }

    static let dueDays = Gen.int(in: date("2005-01-01").dayNumber...date("2026-06-30").dayNumber)
    static let principals = Gen.int64(in: 1...100_000_000_00).map(Money.init(centavos:))

    @Test("multa never exceeds 20%")
    func multaCapped() async {
        await propertyCheck(count: 1000, input: Self.principals, Self.dueDays, Gen.int(in: 0...8000)) { principal, due, late in
            let dueDate = CivilDate(dayNumber: due)
            let asOf = CivilDate(dayNumber: min(due + late, date("2026-07-31").dayNumber))
            let amounts = calculator.amounts(principal: principal, dueDate: dueDate, asOf: asOf)
            #expect(amounts.multaRate <= Percent(whole: 20))
            #expect(amounts.multa <= principal.applying(Percent(whole: 20)))
            #expect(amounts.multa >= .zero)
        }
    }

    @Test("juros never decrease as the payment date moves later")
    func jurosMonotonic() async {
        await propertyCheck(count: 1000, input: Self.principals, Self.dueDays, Gen.int(in: 0...3000), Gen.int(in: 0...400)) {
            principal, due, late, extra in
            let last = date("2026-07-31").dayNumber
            let dueDate = CivilDate(dayNumber: due)
            let earlier = CivilDate(dayNumber: min(due + late, last))
            let later = CivilDate(dayNumber: min(due + late + extra, last))
            let a = try calculator.calculate(principal: principal, dueDate: dueDate, asOf: earlier)
            let b = try calculator.calculate(principal: principal, dueDate: dueDate, asOf: later)
            #expect(a.juros <= b.juros)
            #expect(a.memo.jurosRate <= b.memo.jurosRate)
            #expect(a.total <= b.total)
        }
    }
}

@Suite("SELIC table")
struct SelicTableTests {
    @Test func seedCoversTheCSV() {
        let seed = SelicTable.seed
        #expect(seed.firstMonth == month("1995-01"))
        #expect(seed.lastMonth == month("2026-07"))
        #expect(seed.entries.count == 379)
        #expect(seed.rate(for: month("2025-05")) == Percent(basisPoints: 114))
        #expect(seed.rate(for: month("2009-02")) == Percent(basisPoints: 86))
        #expect(seed.rate(for: month("1995-01")) == Percent(basisPoints: 337))
        #expect(seed.rate(for: month("2026-08")) == nil)
    }

    @Test func sumsWithMissingMonths() throws {
        let table = try SelicTable(version: "t", rates: [
            month("2020-01"): Percent(basisPoints: 10), month("2020-03"): Percent(basisPoints: 30),
        ])
        let jan = month("2020-01").index
        #expect(table.sumBasisPoints(fromIndex: jan, throughIndex: jan + 2) == (40, 1))
        #expect(table.sumBasisPoints(fromIndex: jan - 2, throughIndex: jan + 4) == (40, 5))
        #expect(table.sumBasisPoints(fromIndex: jan + 5, throughIndex: jan + 6) == (0, 2))
        #expect(table.sumBasisPoints(fromIndex: jan + 1, throughIndex: jan) == (0, 0))
        #expect(table.missingMonths(from: month("2019-12"), through: month("2020-03")) == [month("2019-12"), month("2020-02")])
    }

    @Test func extensionIsANewVersionAndKeepsPublishedRates() throws {
        let extended = try SelicTable.seed.extended(with: [month("2026-08"): Percent(basisPoints: 118)], version: "v2")
        #expect(extended.lastMonth == month("2026-08"))
        #expect(extended.version == "v2")
        #expect(SelicTable.seed.lastMonth == month("2026-07"))
        #expect(throws: SelicTableError.conflictingRate(month("2025-05"), existing: Percent(basisPoints: 114),
                                                        new: Percent(basisPoints: 115))) {
            try SelicTable.seed.extended(with: [month("2025-05"): Percent(basisPoints: 115)], version: "v3")
        }
    }

    @Test func parsesCSV() throws {
        let rates = try SelicTable.parseCSV("month,rate_percent\n2026-08,1.18\r\n2026-09,1.11\n")
        #expect(rates == [month("2026-08"): Percent(basisPoints: 118), month("2026-09"): Percent(basisPoints: 111)])
        #expect(throws: SelicTableError.malformedLine(2, "2026-13,1.0")) { try SelicTable.parseCSV("month,rate_percent\n2026-13,1.0") }
    }
}
