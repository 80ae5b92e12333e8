/// A SELIC month published by an operator after the seed (`ressus selic importar`, event
/// `SelicRatesPublished`): its rate and the label of the publication that set it last.
public struct PublishedSelicMonth: Sendable, Hashable {
    public var month: YearMonth
    public var rate: Percent
    /// The publication's label (`SelicRatesPublished.version`), e.g. `importacao-0001`.
    public var publication: String

    public init(month: YearMonth, rate: Percent, publication: String) {
        self.month = month
        self.rate = rate
        self.publication = publication
    }
}

extension SelicTable {
    /// The effective table: this one with the published months added, a published month replacing
    /// this table's rate for the same month (a correction: "if the Banco Central publishes different
    /// figures, the published figures win", shared/data/SELIC-SOURCES.md). Version: this version plus
    /// the labels of the publications in effect, sorted (`seed+importacao-0001+importacao-0003`).
    /// The debt calculator and the report publisher both build their table with this, so the same
    /// stored months give the same numbers and the same version in every memo.
    public func withPublished(_ months: [PublishedSelicMonth]) -> SelicTable {
        guard !months.isEmpty else { return self }
        var merged: [YearMonth: Percent] = [:]
        for (month, rate) in entries { merged[month] = rate }
        for published in months { merged[published.month] = published.rate }
        let labels = Set(months.map(\.publication)).sorted()
        let version = ([self.version] + labels).joined(separator: "+")
        // Never empty here (at least one published month), so the table can always be built.
        return (try? SelicTable(version: version, rates: merged)) ?? self
    }
}
