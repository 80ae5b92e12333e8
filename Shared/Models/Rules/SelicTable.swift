/// A versioned table of monthly SELIC rates (BCB series 4390, "acumulada no mês"), used for juros de
/// mora (DOMAIN §5) and installment updates (§6). Immutable: adding months makes a new version.
/// Sums over a range of months are O(1) (prefix sums), and say which months the table lacks.
public struct SelicTable: Sendable {
    /// Identifies this version of the table (cited in every calculation memo).
    public let version: String
    /// `YearMonth.index` of the first month held.
    @usableFromInline let firstIndex: Int
    /// Rates in basis points per month from `firstIndex`; nil where the month is missing.
    @usableFromInline let rates: [Int64?]
    /// `prefixSums[i]` = sum of the known rates of the first `i` months.
    @usableFromInline let prefixSums: [Int64]
    /// `prefixMissing[i]` = number of missing months among the first `i`.
    @usableFromInline let prefixMissing: [Int]

    /// A table from a set of monthly rates (gaps allowed; sums over them report the missing months).
    public init(version: String, rates: [YearMonth: Percent]) throws(SelicTableError) {
        guard let first = rates.keys.min(), let last = rates.keys.max() else { throw .empty }
        self.init(version: version, firstIndex: first.index,
                  rates: (first.index...last.index).map { rates[YearMonth(index: $0)]?.basisPoints })
    }

    init(version: String, firstIndex: Int, rates: [Int64?]) {
        self.version = version
        self.firstIndex = firstIndex
        self.rates = rates
        var sums = [Int64](repeating: 0, count: rates.count + 1)
        var missing = [Int](repeating: 0, count: rates.count + 1)
        for (i, rate) in rates.enumerated() {
            sums[i + 1] = sums[i] + (rate ?? 0)
            missing[i + 1] = missing[i] + (rate == nil ? 1 : 0)
        }
        prefixSums = sums
        prefixMissing = missing
    }

    /// The table seeded from `shared/data/selic-monthly.csv` (1995-01 through 2026-07).
    public static let seed = SelicTable(version: seedVersion, firstIndex: seedFirstMonth.index,
                                        rates: seedBasisPoints.map { Optional($0) })

    public var firstMonth: YearMonth { YearMonth(index: firstIndex) }
    public var lastMonth: YearMonth { YearMonth(index: firstIndex + rates.count - 1) }

    /// The rate of `month`, or nil when the table lacks it.
    public func rate(for month: YearMonth) -> Percent? {
        let offset = month.index - firstIndex
        guard rates.indices.contains(offset), let rate = rates[offset] else { return nil }
        return Percent(basisPoints: rate)
    }

    /// Every month held, in order, with its rate.
    public var entries: [(month: YearMonth, rate: Percent)] {
        rates.enumerated().compactMap { offset, rate in
            rate.map { (YearMonth(index: firstIndex + offset), Percent(basisPoints: $0)) }
        }
    }

    /// A new version with `newRates` added. Months already held must keep their rate (a published
    /// rate never changes); a different value is refused.
    public func extended(with newRates: [YearMonth: Percent], version: String) throws(SelicTableError) -> SelicTable {
        var merged: [YearMonth: Percent] = [:]
        for (month, rate) in entries { merged[month] = rate }
        for (month, rate) in newRates.sorted(by: { $0.key < $1.key }) {
            if let existing = merged[month], existing != rate {
                throw .conflictingRate(month, existing: existing, new: rate)
            }
            merged[month] = rate
        }
        return try SelicTable(version: version, rates: merged)
    }

    /// Sum of the rates for the months with indices `first...last` (empty when `last < first`) in basis
    /// points, and how many of those months the table lacks (counted as 0 in the sum).
    @inlinable
    public func sumBasisPoints(fromIndex first: Int, throughIndex last: Int) -> (sum: Int64, missing: Int) {
        guard first <= last else { return (0, 0) }
        let lower = max(first - firstIndex, 0)
        let upper = min(last - firstIndex + 1, rates.count)  // exclusive
        guard lower < upper else { return (0, last - first + 1) }
        let outside = (last - first + 1) - (upper - lower)
        return (prefixSums[upper] - prefixSums[lower], outside + prefixMissing[upper] - prefixMissing[lower])
    }

    /// Each month with indices `first...last` with its rate (nil when missing), and the missing months.
    public func monthRates(fromIndex first: Int, throughIndex last: Int) -> (months: [SelicMonthRate], missing: [YearMonth]) {
        guard first <= last else { return ([], []) }
        var months: [SelicMonthRate] = []
        months.reserveCapacity(last - first + 1)
        var missing: [YearMonth] = []
        var month = YearMonth(index: first)
        for index in first...last {
            let offset = index - firstIndex
            let rate = rates.indices.contains(offset) ? rates[offset] : nil
            if rate == nil { missing.append(month) }
            months.append(SelicMonthRate(month: month, rate: rate.map(Percent.init(basisPoints:))))
            month = month.next
        }
        return (months, missing)
    }

    /// The months among `first...last` the table lacks.
    public func missingMonths(from first: YearMonth, through last: YearMonth) -> [YearMonth] {
        YearMonth.months(from: first, through: last).filter { rate(for: $0) == nil }
    }

    /// Parses rates from CSV text with header `month,rate_percent` (e.g. `2026-08,1.18`), the format of
    /// `shared/data/selic-monthly.csv` and of BCB exports converted to it.
    public static func parseCSV(_ text: String) throws(SelicTableError) -> [YearMonth: Percent] {
        var result: [YearMonth: Percent] = [:]
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: "\r ")
            if line.isEmpty || (offset == 0 && line.hasPrefix("month")) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 2,
                  let month = try? YearMonth(parsing: String(fields[0])),
                  let rate = try? Percent(parsing: String(fields[1]))
            else { throw .malformedLine(offset + 1, String(line)) }
            if let existing = result[month], existing != rate {
                throw .conflictingRate(month, existing: existing, new: rate)
            }
            result[month] = rate
        }
        return result
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}

/// Why a SELIC table cannot be built or extended.
public enum SelicTableError: DomainError, Equatable {
    case empty
    case conflictingRate(YearMonth, existing: Percent, new: Percent)
    case malformedLine(Int, String)

    public var description: String {
        switch self {
        case .empty: "a SELIC table needs at least one month"
        case .conflictingRate(let m, let old, let new):
            "SELIC \(m) is already \(old.decimalString)%, refusing \(new.decimalString)%"
        case .malformedLine(let n, let text): "line \(n) is not 'YYYY-MM,rate': \(text)"
        }
    }

    public var descricao: String {
        switch self {
        case .empty: "a tabela SELIC precisa de ao menos um mês"
        case .conflictingRate(let m, let old, let new):
            "a SELIC de \(m.brazilian) já é \(old.formatted); o valor \(new.formatted) foi recusado"
        case .malformedLine(let n, let text): "linha \(n) inválida (esperado AAAA-MM,taxa): \(text)"
        }
    }
}
