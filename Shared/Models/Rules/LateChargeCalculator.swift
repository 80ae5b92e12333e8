/// Acréscimos moratórios (multa and juros de mora) as of any date, both regimes (DOMAIN §5).
/// Pure: the result depends only on the arguments, the SELIC table and the policy.
public struct LateChargeCalculator: Sendable {
    /// Version of this rule set, cited in every memo.
    public static let ruleVersion = "acrescimos-v1 (DOMAIN §5)"

    public let selic: SelicTable
    public let policy: RulesPolicy

    static let legacyMultaSource = "Lei 9.656/1998 art. 32 §4 (multa de 10%, regime anterior à MP 449/2008)"
    static let dailyMultaSource = "Lei 9.430/1996 art. 61 §§1-2 (multa de 0,33% ao dia, limitada a 20%), "
        + "aplicável por Lei 10.522/2002 art. 37-A"
    static let legacyJurosSource = "Lei 9.656/1998 art. 32 §4 (juros de 1% ao mês ou fração até 12/2008)"
    static let selicJurosSource = "Lei 9.430/1996 art. 61 §3 (juros SELIC acumulada mensal + 1% no mês do pagamento)"

    public init(selic: SelicTable = .seed, policy: RulesPolicy = .standard) {
        self.selic = selic
        self.policy = policy
    }

    /// The rates that apply to a debt due `dueDate` as of `asOf`.
    struct Rates {
        var daysLate = 0
        var multaRegime = MultaRegime.none
        var multaRate: Int64 = 0
        var multaCapped = false
        var legacyFirstIndex = 0
        var legacyMonthCount = 0
        var selicFirstIndex = 0
        var selicLastIndex = -1
        var selicSum: Int64 = 0
        var selicMissing = 0
        var paymentMonthRate: Int64 = 0

        var jurosRate: Int64 {
            Int64(legacyMonthCount) * legacyMonthlyRate + selicSum + paymentMonthRate
        }
        var legacyMonthlyRate: Int64 = 0
    }

    func rates(dueDate: CivilDate, asOf: CivilDate) -> Rates {
        var r = Rates()
        let days = asOf.dayNumber - dueDate.dayNumber
        guard days > 0 else { return r }
        r.daysLate = days

        // Multa (Lei 9.656/1998 art. 32 §4 before 2008-12-04; Lei 9.430/1996 art. 61 §§1-2 from then).
        if dueDate <= policy.lastLegacyMultaDueDate {
            r.multaRegime = .legacyFlat
            r.multaRate = policy.legacyMultaRate.basisPoints
        } else {
            r.multaRegime = .dailyCapped
            let uncapped = policy.dailyMultaRate.basisPoints * Int64(days)
            r.multaCapped = uncapped > policy.multaCap.basisPoints
            r.multaRate = min(uncapped, policy.multaCap.basisPoints)
        }

        // Juros: 1% a month (or fraction) through 2008-12, then SELIC + 1% for the month of payment.
        let dueIndex = dueDate.month + dueDate.year * 12 - 1
        let payIndex = asOf.month + asOf.year * 12 - 1
        let selicStart = policy.firstSelicMonth.index
        r.legacyMonthlyRate = policy.legacyMonthlyJurosRate.basisPoints
        r.legacyFirstIndex = dueIndex + 1
        r.legacyMonthCount = max(0, min(selicStart - 1, payIndex) - dueIndex)
        if payIndex >= selicStart {
            r.selicFirstIndex = max(dueIndex + 1, selicStart)
            r.selicLastIndex = payIndex - 1
            let (sum, missing) = selic.sumBasisPoints(fromIndex: r.selicFirstIndex, throughIndex: r.selicLastIndex)
            r.selicSum = sum
            r.selicMissing = missing
            r.paymentMonthRate = payIndex > dueIndex ? policy.paymentMonthJurosRate.basisPoints : 0
        }
        return r
    }

    /// Amounts only, no memo (allocation-free). A non-zero `missingSelicMonthCount` means the result is
    /// provisional (missing months counted as 0); check it, or use `calculate` which refuses by default.
    public func amounts(principal: Money, dueDate: CivilDate, asOf: CivilDate) -> LateChargeAmounts {
        let r = rates(dueDate: dueDate, asOf: asOf)
        let multa = principal.applying(Percent(basisPoints: r.multaRate))
        let juros = principal.applying(Percent(basisPoints: r.jurosRate))
        return LateChargeAmounts(
            daysLate: r.daysLate, multaRate: Percent(basisPoints: r.multaRate),
            jurosRate: Percent(basisPoints: r.jurosRate), multa: multa, juros: juros,
            total: principal + multa + juros, missingSelicMonthCount: r.selicMissing)
    }

    /// Late charges with the full calculation memo.
    ///
    /// - Parameter allowingProvisional: when the SELIC table lacks a needed month, false (default) throws
    ///   `LateChargeError.missingSelicMonths`; true returns a result flagged provisional, the missing months
    ///   counted as 0 and listed in the memo.
    public func calculate(principal: Money, dueDate: CivilDate, asOf: CivilDate,
                          allowingProvisional: Bool = false) throws(LateChargeError) -> LateCharges {
        let r = rates(dueDate: dueDate, asOf: asOf)
        let (selicMonths, missing) = selic.monthRates(fromIndex: r.selicFirstIndex, throughIndex: r.selicLastIndex)
        if !missing.isEmpty && !allowingProvisional {
            throw .missingSelicMonths(missing, tableVersion: selic.version)
        }
        let legacyMonths = (0..<r.legacyMonthCount).map { YearMonth(index: r.legacyFirstIndex + $0) }
        var sources: [String] = []
        switch r.multaRegime {
        case .legacyFlat: sources.append(Self.legacyMultaSource)
        case .dailyCapped: sources.append(Self.dailyMultaSource)
        case .none: break
        }
        if !legacyMonths.isEmpty { sources.append(Self.legacyJurosSource) }
        if !selicMonths.isEmpty || r.paymentMonthRate > 0 { sources.append(Self.selicJurosSource) }
        let memo = CalculationMemo(
            ruleVersion: Self.ruleVersion, legalSources: sources, daysLate: r.daysLate,
            multaRegime: r.multaRegime, multaRate: Percent(basisPoints: r.multaRate), multaCapped: r.multaCapped,
            legacyJurosMonths: legacyMonths,
            legacyJurosRate: Percent(basisPoints: Int64(r.legacyMonthCount) * r.legacyMonthlyRate),
            selicMonths: selicMonths, selicSum: Percent(basisPoints: r.selicSum),
            paymentMonthRate: Percent(basisPoints: r.paymentMonthRate), jurosRate: Percent(basisPoints: r.jurosRate),
            selicTableVersion: selic.version, missingSelicMonths: missing)
        let multa = principal.applying(memo.multaRate)
        let juros = principal.applying(memo.jurosRate)
        return LateCharges(principal: principal, dueDate: dueDate, asOf: asOf, multa: multa, juros: juros,
                           total: principal + multa + juros, memo: memo)
    }
}
