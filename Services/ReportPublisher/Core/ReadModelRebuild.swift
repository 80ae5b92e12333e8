import Foundation
import Kafka
import Logging
import Models
import Postgres
import Runtime

/// Rebuilds the read model from the topics, from scratch (`ressus portal reconstruir`):
///
/// 1. empties every read-model table (``ReportPublisherMigrations/readModelTables``, including the
///    applied-event ids); the portal's accounts, sessions and ciência requests are kept;
/// 2. reads the topics from their earliest offsets with a new, throw-away consumer group and
///    applies every event with ``ReadModelHandler`` (one transaction per poll batch);
/// 3. stops when the group has no lag left on any partition.
///
/// Stop the report publisher first (events it applied while the tables are rebuilt would be
/// skipped by the rebuild as already applied, possibly out of order). Afterwards the service goes
/// on from its own committed offsets; events both apply are applied once: the rebuild keeps the ids
/// it applied that the service's inbox does not hold yet (``forgetSeenByService``), and the service
/// skips those (``ReadModelHandler/Idempotency/inbox``).
public enum ReadModelRebuild {
    public struct Result: Sendable {
        public let consumed: Int
        public let applied: Int
    }

    public static func run(database: PostgresPool, kafka: KafkaConfig, topics: [String] = ReadModelHandler.topics,
                           logger: Logger = Logger(label: "ressus.report-publisher.rebuild"),
                           progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Result {
        try await database.withTransaction { c in
            try c.executeScript("TRUNCATE " + ReportPublisherMigrations.readModelTables.joined(separator: ", "))
        }
        let consumer = try KafkaConsumer(
            config: kafka, groupID: "report-publisher-rebuild-\(UUID().uuidString.lowercased())", topics: topics, logger: logger)
        let handler = ReadModelHandler()
        var consumed = 0
        var applied = 0
        var idlePolls = 0
        while true {
            let messages = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(500))
            if messages.isEmpty {
                idlePolls += 1
                if !consumer.assignment.isEmpty, idlePolls >= 2,
                   try await consumer.lag().values.allSatisfy({ $0.lag <= 0 }) { break }
                continue
            }
            idlePolls = 0
            let envelopes = messages.compactMap { message in
                try? CloudEventHeaders.decode(
                    headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
            }
            let count = try await database.withTransaction { c in
                var count = 0
                // The read-model handler never reads `now` (its dates come from the events).
                let context = HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date(timeIntervalSince1970: 0))
                for envelope in envelopes where handler.acceptedTypes.contains(envelope.type) {
                    try handler.handle(envelope, context: context)
                    count += 1
                }
                return count
            }
            try await consumer.commit(messages)
            consumed += messages.count
            applied += count
            progress(consumed)
        }
        try await consumer.close()
        // The rounds written onto their rows now: their scheduled compactions fired before the
        // rebuild (a key fires once), and the service is stopped during a rebuild.
        try await database.withTransaction { c in
            try RoundCompaction.compact(on: c)
            try forgetSeenByService(on: c)
        }
        return Result(consumed: consumed, applied: applied)
    }

    /// Keeps in `rm_applied_events` only the ids the service's inbox does not hold as applied: the
    /// events the service has yet to meet, or to meet again when a dead letter is re-driven, which it
    /// skips as already applied (and forgets) when it does.
    static func forgetSeenByService(on connection: PostgresConnection) throws {
        _ = try connection.execute(forgetSeen)
    }

    static let forgetSeen = PostgresStatement("""
        DELETE FROM rm_applied_events a
        WHERE EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = a.event_id AND i.outcome = 'applied')
        """)
}
