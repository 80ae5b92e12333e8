import Foundation
import Models
import Postgres
import Runtime

/// The debt calculator's SELIC table (DOMAIN §5: versioned, seeded from
/// `shared/data/selic-monthly.csv`, extended by operators): the seed plus the months stored in
/// `selic_rates` by `ressus selic importar` (``DebtSelic/importRates(_:file:allowingCorrections:base:topic:source:time:on:)``),
/// which also publishes them as `SelicRatesPublished` through the service's outbox.
/// Every computation of acréscimos in the service reads the effective table
/// (``DebtSelic/table(base:on:)``) in its own transaction.
public enum DebtSelic {
    /// The months stored in the schema, in month order.
    public static func published(on connection: PostgresConnection) throws -> [PublishedSelicMonth] {
        try connection.query(selectRates).map { row in
            PublishedSelicMonth(month: try YearMonth(parsing: try row.decode(String.self, at: 0)),
                                rate: Percent(basisPoints: try row.decode(Int64.self, at: 1)),
                                publication: try row.decode(String.self, at: 2))
        }
    }

    /// The effective table: `base` (the seed unless told) with the stored months (one query; the
    /// table built from them is cached by content, so a new import is seen by the next transaction).
    public static func table(base: SelicTable = .seed, on connection: PostgresConnection) throws -> SelicTable {
        let months = try published(on: connection)
        guard !months.isEmpty else { return base }
        return cache.table(base: base, months: months)
    }

    /// Records the months of `rates` that are new or (with `allowingCorrections`) correct a published
    /// rate, in the transaction open on `connection`, and appends one `SelicRatesPublished` with
    /// them to the outbox (for `topic`). Corrections without `allowingCorrections` refuse the whole
    /// file (nothing is written). A file adding nothing writes nothing.
    public static func importRates(_ rates: [YearMonth: Percent], file: String, allowingCorrections: Bool,
                                   base: SelicTable = .seed, topic: String = Topics.debts.name,
                                   source: String = DebtSettings.standard.source, time: Date,
                                   on connection: PostgresConnection) throws -> SelicImport {
        // One import at a time: the comparison below must see every earlier import.
        try connection.executeScript("LOCK TABLE selic_imports IN SHARE ROW EXCLUSIVE MODE")
        let current = base.withPublished(try published(on: connection))
        var result = SelicImport(tableVersion: current.version)
        for (month, rate) in rates.sorted(by: { $0.key < $1.key }) {
            if let old = current.rate(for: month) {
                if old == rate {
                    result.unchanged += 1
                } else {
                    result.corrections.append(SelicImport.Correction(month: month, published: old, corrected: rate))
                }
            } else {
                result.newMonths.append(SelicMonthRate(month: month, rate: rate))
            }
        }
        if !result.corrections.isEmpty && !allowingCorrections {
            result.outcome = .correctionsRefused
            return result
        }
        let changed = result.newMonths + result.corrections.map { SelicMonthRate(month: $0.month, rate: $0.corrected) }
        guard !changed.isEmpty else {
            result.outcome = .nothingNew
            return result
        }
        let id = try connection.query(nextImportID)[0].decode(Int64.self, at: 0)
        let label = "importacao-" + String(repeating: "0", count: max(0, 4 - String(id).count)) + String(id)
        _ = try connection.execute(insertImport, [
            id, label, file, result.newMonths.map(\.month.description),
            result.corrections.map { "\($0.month):\($0.published.basisPoints):\($0.corrected.basisPoints)" }])
        let sorted = changed.sorted { $0.month < $1.month }
        _ = try connection.execute(upsertRates, [
            sorted.map(\.month.description), sorted.map { String($0.rate?.basisPoints ?? 0) }, label])
        try OutboxWriter(connection: connection).append(
            SelicRatesPublished(version: label, rates: sorted), topic: topic, source: source, time: time)
        let updated = base.withPublished(try published(on: connection))
        result.outcome = .recorded(publication: label)
        result.tableVersion = updated.version
        result.lastMonth = updated.lastMonth
        result.stillMissing = updated.missingMonths(from: base.firstMonth, through: updated.lastMonth)
        return result
    }

    /// The effective table's last `count` months with their origin, and the imports so far.
    public static func listing(lastMonths count: Int, base: SelicTable = .seed,
                               on connection: PostgresConnection) throws -> SelicListing {
        let stored = try published(on: connection)
        let byMonth = Dictionary(stored.map { ($0.month, $0.publication) }, uniquingKeysWith: { _, last in last })
        let table = base.withPublished(stored)
        let months = table.entries.suffix(max(count, 0)).map { entry in
            SelicListing.Month(month: entry.month, rate: entry.rate, origin: byMonth[entry.month] ?? base.version,
                               fromSeed: byMonth[entry.month] == nil)
        }
        let imports = try connection.query(selectImports).map { row in
            SelicListing.Import(publication: try row.decode(String.self, at: 0), file: try row.decode(String.self, at: 1),
                                newMonths: try row.decode([String].self, at: 2), corrections: try row.decode([String].self, at: 3),
                                importedAt: try row.decode(Date.self, at: 4))
        }
        return SelicListing(tableVersion: table.version, firstMonth: table.firstMonth, lastMonth: table.lastMonth,
                            seedVersion: base.version, seedLastMonth: base.lastMonth, months: Array(months), imports: imports,
                            missing: table.missingMonths(from: table.firstMonth, through: table.lastMonth))
    }

    static let cache = SelicTableCache()
    static let selectRates = PostgresStatement("SELECT month, basis_points, publication FROM selic_rates ORDER BY month")
    static let nextImportID = PostgresStatement("SELECT nextval(pg_get_serial_sequence('selic_imports', 'id'))")
    static let insertImport = PostgresStatement(
        "INSERT INTO selic_imports (id, label, file, new_months, corrections) VALUES ($1, $2, $3, $4, $5)")
    static let upsertRates = PostgresStatement("""
        INSERT INTO selic_rates (month, basis_points, publication)
        SELECT m, b::bigint, $3 FROM unnest($1::text[], $2::text[]) AS t(m, b)
        ON CONFLICT (month) DO UPDATE SET basis_points = EXCLUDED.basis_points, publication = EXCLUDED.publication
        """)
    static let selectImports = PostgresStatement(
        "SELECT label, file, new_months, corrections, imported_at FROM selic_imports ORDER BY id")
}

/// What `ressus selic importar` did (or would refuse).
public struct SelicImport: Sendable, Codable {
    public enum Outcome: Sendable, Codable, Hashable {
        /// Recorded and published as `SelicRatesPublished` with this version label.
        case recorded(publication: String)
        /// Every month of the file is already in the table with the same rate.
        case nothingNew
        /// The file changes published rates and corrections were not allowed: nothing written.
        case correctionsRefused
    }

    public struct Correction: Sendable, Codable, Hashable {
        public var month: YearMonth
        public var published: Percent
        public var corrected: Percent
    }

    public var outcome: Outcome = .nothingNew
    /// The effective table's version after the import (before it when nothing was written).
    public var tableVersion: String
    public var newMonths: [SelicMonthRate] = []
    public var corrections: [Correction] = []
    /// Months of the file already in the table with the same rate.
    public var unchanged = 0
    public var lastMonth: YearMonth?
    /// Months between the seed's first month and the table's last one still missing (gaps).
    public var stillMissing: [YearMonth] = []
}

/// `ressus selic listar`: the effective table's last months and where each came from.
public struct SelicListing: Sendable, Codable {
    public struct Month: Sendable, Codable {
        public var month: YearMonth
        public var rate: Percent
        /// The seed's version or the label of the import that set it last.
        public var origin: String
        public var fromSeed: Bool
    }

    public struct Import: Sendable, Codable {
        public var publication: String
        public var file: String
        public var newMonths: [String]
        /// `AAAA-MM:old_bp:new_bp`.
        public var corrections: [String]
        public var importedAt: Date
    }

    public var tableVersion: String
    public var firstMonth: YearMonth
    public var lastMonth: YearMonth
    public var seedVersion: String
    public var seedLastMonth: YearMonth
    public var months: [Month]
    public var imports: [Import]
    /// Months the table lacks between its first and last month.
    public var missing: [YearMonth]
}

/// The last effective table built, keyed by its base version and the stored months.
final class SelicTableCache: @unchecked Sendable {
    private let lock = NSLock()
    private var baseVersion = ""
    private var months: [PublishedSelicMonth] = []
    private var table: SelicTable?

    func table(base: SelicTable, months: [PublishedSelicMonth]) -> SelicTable {
        lock.lock()
        defer { lock.unlock() }
        if let table, baseVersion == base.version, self.months == months { return table }
        let built = base.withPublished(months)
        (baseVersion, self.months, table) = (base.version, months, built)
        return built
    }
}

extension DebtLedger {
    /// This ledger with the effective SELIC table of the schema (seed + imported months). Every entry
    /// point whose work computes acréscimos (payments, reissue, parcelamento, a charge accruing
    /// before its due date) runs through it; `settings.selic` is the base.
    func withPublishedSelic(on connection: PostgresConnection) throws -> DebtLedger {
        var settings = self.settings
        settings.selic = try DebtSelic.table(base: settings.selic, on: connection)
        return DebtLedger(settings: settings)
    }
}
