import Foundation
import Postgres

/// What the replay reads from the five services' schemas (one database, the services' default
/// schema names): how far each stage has got and how much work is still in flight.
public struct ReplayProbe: Sendable {
    /// The services' schemas, in the order of the cycle.
    public static let schemas = ["intake", "deadlines", "debt_calculator", "report_publisher", "fns_transfer"]

    /// Who consumes which topic (each service's `topics:` in Services/*/App/main.swift); used to count
    /// published events a consumer has not taken yet.
    public static let subscriptions: [(schema: String, topic: String)] = [
        ("deadlines", "ressus.notifications"), ("deadlines", "ressus.portal.requests"),
        ("debt_calculator", "ressus.deadlines"), ("debt_calculator", "ressus.upstream.payments"),
        ("report_publisher", "ressus.operadoras"), ("report_publisher", "ressus.notifications"),
        ("report_publisher", "ressus.deadlines"), ("report_publisher", "ressus.debts"),
        ("fns_transfer", "ressus.debts"), ("fns_transfer", "ressus.notifications"), ("fns_transfer", "ressus.deadlines"),
    ]

    /// ``subscriptions`` by consuming service (schema): the topics each one takes.
    public static let topicsByConsumer = Dictionary(grouping: subscriptions, by: \.schema).mapValues { $0.map(\.topic) }

    public init() {}

    /// Counts of one instant: atendimentos per stage and the backlog.
    public struct Snapshot: Sendable, Codable, Equatable {
        /// Atendimentos stored by the intake.
        public var received: Int
        /// Atendimentos the deadlines service tracks (their notification events arrived).
        public var notified: Int
        /// Atendimentos in a final state at the deadlines service (chargeable or annulled).
        public var released: Int
        /// GRUs issued by the debt calculator.
        public var grusIssued: Int
        /// GRUs visible in the portal's read model.
        public var grusVisible: Int
        /// Events written to an outbox and not yet published.
        public var unsent: Int
        /// Published events some subscribed service has not yet applied.
        public var unconsumed: Int
        /// `unconsumed` per consuming service (schema name): its consumer lag counted in events.
        public var backlog: [String: Int] = [:]
        /// Events dead-lettered by any service (0 when not counted, see `scanningInboxes`).
        public var deadLettered: Int

        /// Nothing waiting to be published or applied.
        public var idle: Bool { unsent == 0 && unconsumed == 0 }
    }

    /// Reads a snapshot; a schema that does not exist yet counts as empty. Without
    /// `scanningInboxes` the backlog is left empty for the caller to fill (e.g. from the broker's
    /// consumer lag) and dead letters are not counted: both scan every inbox (and the backlog every
    /// outbox), the largest cost of a sample. Without `countingStages` the atendimentos and GRUs
    /// per stage (a scan of each table, the next largest cost) are taken from `stages`.
    public func snapshot(on connection: PostgresConnection, scanningInboxes: Bool = true, countingStages: Bool = true,
                         stages: Snapshot? = nil) throws -> Snapshot {
        let existing = try existingSchemas(on: connection)
        func count(_ schema: String, _ sql: String) throws -> Int {
            guard existing.contains(schema) else { return 0 }
            return try connection.query(sql)[0].decode(Int.self, at: 0)
        }
        var unsent = 0, dead = 0
        for schema in Self.schemas where existing.contains(schema) {
            unsent += try count(schema, "SELECT count(*)::int FROM \(schema).outbox_unsent")
            if scanningInboxes {
                dead += try count(schema, "SELECT count(*)::int FROM \(schema).inbox WHERE outcome = 'dead_lettered'")
            }
        }
        let backlog = scanningInboxes ? try self.backlog(on: connection, existing: existing) : [:]
        guard countingStages else {
            return Snapshot(received: stages?.received ?? 0, notified: stages?.notified ?? 0, released: stages?.released ?? 0,
                            grusIssued: stages?.grusIssued ?? 0, grusVisible: stages?.grusVisible ?? 0, unsent: unsent,
                            unconsumed: backlog.values.reduce(0, +), backlog: backlog, deadLettered: dead)
        }
        return Snapshot(
            received: try count("intake", "SELECT count(*)::int FROM intake.atendimentos"),
            notified: try count("deadlines", "SELECT count(*)::int FROM deadlines.atendimentos"),
            released: try count("deadlines", "SELECT count(*)::int FROM deadlines.atendimentos WHERE state IN ('cobravel', 'anulado')"),
            grusIssued: try count("debt_calculator", "SELECT count(*)::int FROM debt_calculator.grus"),
            grusVisible: try count("report_publisher", "SELECT count(*)::int FROM report_publisher.rm_grus"),
            unsent: unsent, unconsumed: backlog.values.reduce(0, +), backlog: backlog, deadLettered: dead)
    }

    /// Published events each consuming service (by schema) has not applied yet, counted exactly:
    /// every sent outbox row of its topics without a row in its inbox (``unconsumed(by:of:from:on:)``).
    /// `existing`: the services' schemas that exist, as the caller read them.
    func backlog(on connection: PostgresConnection, existing: Set<String>) throws -> [String: Int] {
        let producers = Self.schemas.filter(existing.contains)
        var backlog: [String: Int] = [:]
        for (schema, topics) in Self.topicsByConsumer where existing.contains(schema) {
            backlog[schema] = try Self.unconsumed(by: schema, of: topics, from: producers, on: connection)
        }
        return backlog
    }

    /// Sent events of `topics` in the outboxes of the `producers` (schemas) that have no row in the
    /// inbox of `consumer` (a schema). One query per consumer, reading its inbox once for all its
    /// topics and producers: counted per topic and producer (11 × 5 queries per exact check), the
    /// anti-joins took 18 s of the database's 132 s in a 100,000-atendimento replay (BENCHMARKS.md).
    public static func unconsumed(by consumer: String, of topics: [String], from producers: [String],
                                  on connection: PostgresConnection) throws -> Int {
        guard !producers.isEmpty, !topics.isEmpty else { return 0 }
        let sent = producers.map { "SELECT o.event_id FROM \($0).outbox AS o WHERE o.topic = ANY($1) "
                + "AND NOT EXISTS (SELECT 1 FROM \($0).outbox_unsent AS u WHERE u.seq = o.seq)" }
            .joined(separator: " UNION ALL ")
        return try connection.query("""
            SELECT count(*)::int FROM (\(sent)) p
            WHERE NOT EXISTS (SELECT 1 FROM \(consumer).inbox c WHERE c.event_id = p.event_id)
            """, [topics])[0].decode(Int.self, at: 0)
    }

    private func existingSchemas(on connection: PostgresConnection) throws -> Set<String> {
        Set(try connection.query(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", [Self.schemas]
        ).map { try $0.decode(String.self, at: 0) })
    }
}

/// How often the replay may read the database for its progress: its counts scan whole tables
/// (1,100,000-atendimento replay: about 0.25 s for the stage counts, 2 s for an exact backlog), and
/// read every second they took about a fifth of the 2 cores the services share. After a read that
/// took `d` seconds the next waits `d / share` seconds, unless the caller must decide now.
public struct ReplayProbeBudget: Sendable, Equatable {
    /// The share of one core the replay's own reads may take.
    public static let share = 0.05

    /// When the last read started and how long it took (seconds on the replay's clock).
    public private(set) var lastStart: Double?
    public private(set) var lastCost = 0.0

    public init() {}

    /// Whether a read at `now` keeps within the share (always at least `minimumInterval` apart
    /// when a minimum is given, e.g. the periodic exact check).
    public func allows(at now: Double, minimumInterval: Double = 0) -> Bool {
        guard let lastStart else { return true }
        return now - lastStart >= max(minimumInterval, lastCost / Self.share)
    }

    /// Records a read that started at `start` and took `cost` seconds.
    public mutating func record(start: Double, cost: Double) {
        lastStart = start
        lastCost = cost
    }
}
