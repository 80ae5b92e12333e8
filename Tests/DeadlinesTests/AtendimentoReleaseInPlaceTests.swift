import DeadlinesCore
import Foundation
import Postgres
import Runtime
import Testing

/// Releasing a notification's atendimentos when its window closes updates every atendimento of the
/// deadlines schema once: each row must be rewritten in place (a HOT update, no index touched), so
/// no index may hold a column the release changes and the table's pages must keep room for it.
@Suite struct AtendimentoReleaseInPlaceTests {
    static let (abi, registro, count, batchSize) = (7, "100001", 2_000, 500)

    @Test func closingTheWindowUpdatesEveryAtendimentoInPlace() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05")) { fixture in
            let atendimentos = (1...Self.count).map {
                Sample.atendimento(Sample.documentNumber($0), amount: 100_000 + Int64($0))
            }
            let batches = stride(from: 0, to: Self.count, by: Self.batchSize).map {
                Array(atendimentos[$0..<min($0 + Self.batchSize, Self.count)])
            }
            try await fixture.apply(Sample.issued(abi: Self.abi, registro: Self.registro, availableOn: "2026-02-05",
                                                  atendimentos: atendimentos, batchCount: batches.count))
            for (index, batch) in batches.enumerated() {
                try await fixture.apply(Sample.batch(abi: Self.abi, registro: Self.registro, number: index + 1, batch))
            }
            let before = try await Self.updates(on: fixture.pool)
            // Tacit ciência on 2026-02-16 (10 days, RN 377/2015), then the window closes.
            for date in ["2026-02-20", "2026-04-30"] {
                fixture.clock.advance(to: DeadlinesFixture.at(Sample.date(date)))
                _ = try await fixture.scheduler.fireDue()
            }
            let released: String? = try await fixture.scalar("SELECT count(*)::text FROM atendimentos WHERE state = 'cobravel'")
            #expect(released == String(Self.count))
            // The scheduler's connection reports its statistics when idle (at most a second or so later).
            var after = try await Self.updates(on: fixture.pool)
            for _ in 0..<150 where after.updated - before.updated < Self.count {
                try await Task.sleep(for: .milliseconds(200))
                after = try await Self.updates(on: fixture.pool)
            }
            #expect(after.updated - before.updated == Self.count)
            #expect(after.inPlace - before.inPlace == Self.count, "releases that moved their row or touched an index")
        }
    }

    /// Rows of `atendimentos` updated so far, and how many of those updates were HOT.
    static func updates(on pool: PostgresPool) async throws -> (updated: Int, inPlace: Int) {
        try await pool.withConnection { connection in
            let row = try connection.query("""
                SELECT n_tup_upd::int, n_tup_hot_upd::int FROM pg_stat_user_tables WHERE relid = 'atendimentos'::regclass
                """)[0]
            return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
        }
    }
}
