import Foundation
import Postgres
@testable import ReportPublisherCore
import Runtime
import Testing

/// The situation refresh runs once per batch that touches a GRU, a parcelamento or a charge; it must
/// read the charges by key whatever the size of `rm_charges`, or every batch of a large read
/// model pays a scan of the whole table.
@Suite("Situation refresh plan", .serialized)
struct RefreshPlanTests {
    @Test("the refresh reads rm_charges by key, never by a sequential scan")
    func refreshReadsChargesByKey() async throws {
        try await Fixture.with { fixture in
            let plan = try await fixture.pool.withConnection { c in
                // 20,000 charges, each with its GRU, half of them in parcelamentos of 5; a batch touching as
                // many GRUs as an inbox batch has events at most.
                _ = try c.execute(PostgresStatement("""
                    INSERT INTO rm_grus (gru_number, registro_ans, purpose, abis, principal, multa, juros, amount, issued_on,
                                         due_date, accrual_date, state, open_principal, parcelamento_id, linha_digitavel)
                    SELECT 'G' || i, '352222', 'cobranca', '1', 100, 0, 0, 100, '2026-01-02', '2026-01-17', '2026-01-17',
                           'emitida', 100, CASE WHEN i % 2 = 0 THEN 'P' || (i / 10) END, ''
                    FROM generate_series(1, 20000) AS i
                    """))
                _ = try c.execute(PostgresStatement("""
                    INSERT INTO rm_charges (charge_id, registro_ans, abi, total, gru_number, issued_on)
                    SELECT 'C' || i, '352222', 1, 100, 'G' || i, '2026-01-02' FROM generate_series(1, 20000) AS i
                    """))
                _ = try c.execute(PostgresStatement("ANALYZE rm_grus, rm_charges"))
                return try c.query(PostgresStatement("EXPLAIN " + Projection.refreshChargeSituations.sql),
                                   [(1...InboxConsumerOptions().batchSize).map { "G\($0)" }, ["P7", "P8"], ["C5"]])
                    .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            }
            #expect(plan.contains("rm_charges"))
            #expect(!plan.contains("Seq Scan on rm_charges"), "\(plan)")
        }
    }
}
