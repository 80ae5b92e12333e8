/// How the multa de mora was computed.
public enum MultaRegime: String, Sendable, Hashable, Codable {
    /// Due on or before 2008-12-03: 10% flat (Lei 9.656/1998 art. 32 §4, II).
    case legacyFlat = "regime-anterior-10-por-cento"
    /// Due from 2008-12-04: 0.33% a day capped at 20% (Lei 9.430/1996 art. 61 §§1-2).
    case dailyCapped = "diaria-0,33-limitada-20"
    /// Not late: no multa.
    case none = "sem-atraso"
}

/// One SELIC month used in a calculation.
public struct SelicMonthRate: Sendable, Hashable, Codable {
    public let month: YearMonth
    /// The rate; nil when the table lacks the month (provisional results only).
    public let rate: Percent?

    public init(month: YearMonth, rate: Percent?) {
        self.month = month
        self.rate = rate
    }
}

/// Everything needed to check a late-charge calculation by hand (DOMAIN §5).
public struct CalculationMemo: Sendable, Hashable, Codable {
    /// Version of the rule set applied.
    public let ruleVersion: String
    /// The legal sources of the rules applied.
    public let legalSources: [String]
    /// `asOf − dueDate` in calendar days (0 when not late).
    public let daysLate: Int
    public let multaRegime: MultaRegime
    public let multaRate: Percent
    /// Whether the 20% cap limited the multa.
    public let multaCapped: Bool
    /// Months charged at 1% each under the pre-2009 juros rule.
    public let legacyJurosMonths: [YearMonth]
    public let legacyJurosRate: Percent
    /// SELIC months summed (month after the due month, or 2009-01, through the month before `asOf`).
    public let selicMonths: [SelicMonthRate]
    public let selicSum: Percent
    /// 1% for the month of `asOf` when it is after the due month (SELIC regime), else 0.
    public let paymentMonthRate: Percent
    /// legacy + SELIC + payment month: the juros percentage of the principal.
    public let jurosRate: Percent
    /// Version of the SELIC table used.
    public let selicTableVersion: String
    /// Months the calculation needed that the SELIC table lacks (non-empty only when provisional).
    public let missingSelicMonths: [YearMonth]

    /// A provisional result: some SELIC months were missing and counted as 0.
    public var isProvisional: Bool { !missingSelicMonths.isEmpty }
}

/// Late charges on a principal as of a date, with the calculation memo.
public struct LateCharges: Sendable, Hashable, Codable {
    public let principal: Money
    /// The due date used for accrual (`V`).
    public let dueDate: CivilDate
    /// The payment or reference date (`P`).
    public let asOf: CivilDate
    public let multa: Money
    public let juros: Money
    /// principal + multa + juros.
    public let total: Money
    public let memo: CalculationMemo

    /// True when SELIC months were missing (see `memo.missingSelicMonths`).
    public var isProvisional: Bool { memo.isProvisional }
}

/// Late-charge amounts without the memo: the allocation-free hot path (bulk recomputation).
public struct LateChargeAmounts: Sendable, Hashable {
    public let daysLate: Int
    public let multaRate: Percent
    public let jurosRate: Percent
    public let multa: Money
    public let juros: Money
    public let total: Money
    /// How many needed SELIC months the table lacks (counted as 0). Non-zero means provisional.
    public let missingSelicMonthCount: Int
}

/// A calculation that needs SELIC months the table does not have.
public enum LateChargeError: DomainError, Equatable {
    case missingSelicMonths([YearMonth], tableVersion: String)

    public var description: String {
        switch self {
        case .missingSelicMonths(let months, let version):
            "SELIC table \(version) lacks \(Self.list(months.map(\.description), more: "more"))"
        }
    }

    public var descricao: String {
        switch self {
        case .missingSelicMonths(let months, let version):
            "a tabela SELIC (versão \(version)) não tem a taxa de "
                + Self.list(months.map(\.brazilian), more: "mais")
                + "; importe os meses que faltam ou peça um resultado provisório"
        }
    }

    /// At most 24 months named (a date centuries ahead would otherwise list thousands), then how many more.
    static func list(_ months: [String], more: String) -> String {
        let shown = months.prefix(24).joined(separator: ", ")
        return months.count > 24 ? "\(shown) … (+\(months.count - 24) \(more))" : shown
    }
}
