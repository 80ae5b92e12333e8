import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import Testing

/// `SelicRatesPublished` re-publishing a month (`ressus selic importar --corrigir`): the last
/// publication wins, seed months included, and a redelivered older event changes nothing.
@Suite struct SelicCorrectionTests {
    static func month(_ text: String) -> YearMonth { try! YearMonth(parsing: text) }

    @Test func aCorrectionReplacesTheMonthAndARedeliveryChangesNothing() async throws {
        try await Fixture.with { fixture in
            let first = try Events.envelope(SelicRatesPublished(version: "importacao-0001", rates: [
                SelicMonthRate(month: Self.month("2026-08"), rate: Percent(basisPoints: 118)),
                SelicMonthRate(month: Self.month("2026-09"), rate: Percent(basisPoints: 105)),
            ]))
            // Corrects 2026-09 and the seed's 2026-07 (1.22 in shared/data/selic-monthly.csv).
            let second = try Events.envelope(SelicRatesPublished(version: "importacao-0002", rates: [
                SelicMonthRate(month: Self.month("2026-07"), rate: Percent(basisPoints: 125)),
                SelicMonthRate(month: Self.month("2026-09"), rate: Percent(basisPoints: 107)),
            ]))
            #expect(SelicTable.seed.rate(for: Self.month("2026-07")) == Percent(basisPoints: 122))
            try await fixture.apply([first])
            try await fixture.apply([second])
            try await fixture.apply([first])  // redelivered: already applied
            let table = try await fixture.pool.withConnection { try ReadModelQueries.selicTable(on: $0) }
            #expect(table.rate(for: Self.month("2026-07")) == Percent(basisPoints: 125))
            #expect(table.rate(for: Self.month("2026-08")) == Percent(basisPoints: 118))
            #expect(table.rate(for: Self.month("2026-09")) == Percent(basisPoints: 107))
            #expect(table.rate(for: Self.month("2026-06")) == Percent(basisPoints: 112))
            #expect(table.version == SelicTable.seedVersion + "+importacao-0001+importacao-0002")
            // The same months give the same table as the debt calculator's (SelicTable.withPublished).
            let same = SelicTable.seed.withPublished([
                PublishedSelicMonth(month: Self.month("2026-07"), rate: Percent(basisPoints: 125), publication: "importacao-0002"),
                PublishedSelicMonth(month: Self.month("2026-08"), rate: Percent(basisPoints: 118), publication: "importacao-0001"),
                PublishedSelicMonth(month: Self.month("2026-09"), rate: Percent(basisPoints: 107), publication: "importacao-0002"),
            ])
            #expect(same.version == table.version)
            #expect(same.entries.map(\.rate) == table.entries.map(\.rate))
        }
    }
}
