import Foundation
import Postgres
import Runtime

/// Writes the charge of a first-round chargeable event onto the atendimentos it released, after
/// the event was applied as one row (`rm_charge_rounds`, migration 108).
///
/// Applying the event writes no atendimento, so the read model keeps up with the events; until
/// its atendimentos are written, every read of one looks its round up (a range probe, about 2.3 µs
/// against 0.8 µs for a linked row, measured in psql on a 598,000-atendimento read model). Each
/// batch that records rounds schedules their compaction (``schedule(_:on:)``), which the service's
/// scheduler fires in its own transaction, apart from the consumer: the rows then read as if the
/// chargeable event had written them (cobrável, linked, final amount = amount).
/// The counts do not move (a row's situation stays its charge's), so the atendimentos' count
/// trigger is told to skip the statement (``countsUnchanged``). The rounds stay: an atendimento
/// arriving after its round still finds it there.
public enum RoundCompaction {
    /// The scheduled item's kind.
    public static let kind = "readmodel.compact-rounds"
    /// Due at once whatever the business clock says (the epoch is before any simulated date).
    static let dueAtOnce = Date(timeIntervalSince1970: 0)

    struct Payload: Codable {
        var charges: [String]
    }

    /// Schedules the compaction of the rounds of `charges` (keyed by the first: a charge is one
    /// round, recorded once).
    static func schedule(_ charges: [String], on connection: PostgresConnection) throws {
        guard let first = charges.first else { return }
        try ScheduledWork.schedule(kind: kind, key: first, dueAt: dueAtOnce, payload: Payload(charges: charges), on: connection)
    }

    /// The handler the report publisher's scheduler runs.
    public static let handler = ScheduledWorkClosure(kind: kind) { item, context in
        let payload = try JSONDecoder().decode(Payload.self, from: Data(item.payloadJSON.utf8))
        _ = try compact(charges: payload.charges, on: context.connection)
    }

    /// Writes the rounds of `charges` (nil: every round) onto the rows they cover; returns how
    /// many rows were written. Rows already linked or no longer notificado are left alone, so
    /// running it again writes nothing.
    @discardableResult
    public static func compact(charges: [String]? = nil, on connection: PostgresConnection) throws -> Int {
        try connection.atomically { connection in
            let charges = try charges ?? connection.query(everyRound).map { try $0.decode(String.self, at: 0) }
            return try connection.withSetting(countsUnchanged, "on") { connection in
                var written = 0
                for start in stride(from: 0, to: charges.count, by: roundsPerStatement) {
                    written += try connection.execute(compactRounds, [Array(charges[start..<min(start + roundsPerStatement, charges.count)])])
                }
                return written
            }
        }
    }

    /// Rounds written per statement: each statement gathers its rows' (`ctid`, charge, date) in one
    /// array, so every round at once (a rebuild) would grow it without bound (about 250,000 rows and
    /// 20 MB per 5,000 rounds of 50 atendimentos).
    static let roundsPerStatement = 5_000
    static let everyRound = PostgresStatement("SELECT charge_id FROM rm_charge_rounds ORDER BY charge_id")

    /// The setting that has the atendimentos' update count trigger skip a statement (migration 109):
    /// on only around the compaction's own statements, whose rows keep their situation
    /// (`withSetting`, in a savepoint or transaction of its own, so a failure cannot leave it on).
    static let countsUnchanged = "ressus.round_compaction"

    /// The rows of the rounds of the charges `$1` are found round by round, by a
    /// range scan of the list's index (a `LATERAL` per round, whatever the statistics: planned as a
    /// join on a read model not yet analyzed, every row was compared with every earlier round of its
    /// notification, 38 s for 598,000 rows in report-benchmark), each with its round's charge, then
    /// updated by their `ctid` (an array's `unnest`: the planner expects few rows, so it probes each
    /// `ctid` whatever the statistics). A row a concurrent event updated in between is left for its
    /// round to cover (`ctid` changed), as is a row whose batch has not arrived (no amount yet: a
    /// process step created it).
    static let compactRounds = PostgresStatement("""
        UPDATE rm_atendimentos a SET process_state = 'cobravel', final_amount = a.amount, charge_id = x.charge_id,
            updated_on = x.chargeable_on
        FROM unnest(ARRAY(
                SELECT (t.ctid, r.charge_id, r.chargeable_on) FROM unnest($1::text[]) AS u(charge)
                CROSS JOIN LATERAL (SELECT * FROM rm_charge_rounds WHERE charge_id = u.charge) r
                CROSS JOIN LATERAL (SELECT ctid FROM rm_atendimentos t
                                    WHERE \(ReadModelQueries.roundRows("t", of: "r")) AND t.amount IS NOT NULL OFFSET 0) t
            )) AS x(ctid tid, charge_id text, chargeable_on date)
        WHERE a.ctid = x.ctid AND a.process_state = 'notificado' AND a.charge_id IS NULL AND a.amount IS NOT NULL
        """)
}
