import Foundation
import Kafka
import Logging
import Postgres

/// Operator tools for dead-letter topics: list what is on one, and republish (redrive) entries to
/// their source topic once the cause is fixed. Kafka is append-only, so redriven entries stay on
/// the dead-letter topic; `dead_letter_redrives` (in the consumer's schema) records the redrives.
public enum DeadLetters {
    public enum Failure: Error, CustomStringConvertible {
        case topicNotFound(String)
        case timedOut(topic: String, read: Int)
        case eventsNotFound([UUID])

        public var description: String {
            switch self {
            case .topicNotFound(let topic): return "topic \(topic) does not exist"
            case .timedOut(let topic, let read): return "reading \(topic) timed out after \(read) messages"
            case .eventsNotFound(let ids):
                return "no entry of this consumer for events \(ids.map { $0.uuidString.lowercased() }.joined(separator: ", "))"
            }
        }
    }

    /// The dead-letter topic named by `topic` (a source topic, or already a `.DLT` name).
    public static func deadLetterTopic(_ topic: String) -> String {
        topic.hasSuffix(DeadLetterMessage.suffix) ? topic : DeadLetterMessage.topic(for: topic)
    }

    /// Every entry on the dead-letter topic of `topic`, in partition and offset order. Reads from
    /// the beginning with a throwaway consumer group (nothing committed), and stops once the
    /// partitions are assigned and no message arrived for `idle`. With `redrives` (a pool on the
    /// consumer's schema), entries that consumer redrove carry `redrivenAt`.
    public static func list(topic: String, kafka: KafkaConfig, redrives database: PostgresPool? = nil,
                            idle: Duration = .seconds(3), timeout: Duration = .seconds(60),
                            logger: Logger = Logger(label: "ressus.dlt")) async throws -> [DeadLetterEntry] {
        let dlt = deadLetterTopic(topic)
        guard try await KafkaAdmin(config: kafka, logger: logger).listTopics()[dlt] != nil else {
            throw Failure.topicNotFound(dlt)
        }
        let reader = try KafkaConsumer(config: kafka, groupID: "ressus-dlt-reader-\(UUID().uuidString.lowercased())",
                                       topics: [dlt], logger: logger)
        var messages: [KafkaMessage] = []
        do {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            var quietSince: ContinuousClock.Instant?
            while true {
                guard clock.now < deadline else { throw Failure.timedOut(topic: dlt, read: messages.count) }
                let batch = try await reader.poll(maxMessages: 500, timeout: .milliseconds(250))
                if !batch.isEmpty {
                    messages += batch
                    quietSince = nil
                } else if !reader.assignment.isEmpty {
                    let since = quietSince ?? clock.now
                    quietSince = since
                    if clock.now - since >= idle { break }
                }
            }
        } catch {
            try? await reader.close()
            throw error
        }
        try? await reader.close()
        var entries = messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }.map(DeadLetterEntry.init)
        if let database {
            let redriven = try await database.withConnection { connection in
                var result: [String: Date] = [:]
                for row in try connection.query(selectRedrives, [dlt]) {
                    let key = "\(try row.decode(String.self, at: 0))|\(try row.decode(Int32.self, at: 1))|\(try row.decode(Int64.self, at: 2))"
                    result[key] = try row.decode(Date.self, at: 3)
                }
                return result
            }
            for index in entries.indices {
                let entry = entries[index]
                entries[index].redrivenAt = redriven["\(entry.consumer ?? "")|\(entry.partition)|\(entry.offset)"]
            }
        }
        return entries
    }

    /// Republishes dead-lettered entries of `consumer` to their source topic (original key, value
    /// and headers), so that consumer applies them this time: first deletes their `dead_lettered`
    /// inbox rows and handler attempts (in `database`, a pool on the consumer's schema), then
    /// produces, then records the redrive. `eventIDs` nil means every entry not yet redriven whose
    /// message decodes: an undecodable message would fail the same way again (it has to be fixed
    /// at its producer), and it has no event id to select it by. Returns the entries redriven.
    @discardableResult
    public static func redrive(topic: String, consumer: String, eventIDs: Set<UUID>?, database: PostgresPool,
                               kafka: KafkaConfig, logger: Logger = Logger(label: "ressus.dlt")) async throws -> [DeadLetterEntry] {
        let entries = try await list(topic: topic, kafka: kafka, redrives: database, logger: logger)
            .filter { $0.consumer == consumer }
        let selected: [DeadLetterEntry]
        if let eventIDs {
            selected = entries.filter { $0.eventID.map(eventIDs.contains) ?? false }
            let missing = eventIDs.subtracting(selected.compactMap(\.eventID))
            if !missing.isEmpty { throw Failure.eventsNotFound(missing.sorted { $0.uuidString < $1.uuidString }) }
        } else {
            selected = entries.filter { $0.redrivenAt == nil && $0.decodable }
        }
        guard !selected.isEmpty else { return [] }
        let producer = try KafkaProducer(config: kafka, maxInFlight: 1_000, logger: logger)
        do {
            for entry in selected {
                if let inboxID = entry.inboxID {
                    try await database.withTransaction { connection in
                        try connection.execute(deleteDeadLettered, [consumer, inboxID])
                        try connection.execute(deleteAttempts, [consumer, inboxID])
                    }
                }
                _ = try await producer.send(OutgoingMessage(
                    topic: entry.sourceTopic, key: entry.key, value: entry.value, headers: entry.originalHeaders))
                _ = try await database.withConnection { connection in
                    try connection.execute(insertRedrive, [consumer, entry.topic, entry.partition, entry.offset, entry.eventID])
                }
                logger.info("dead letter redriven", metadata: [
                    "topic": "\(entry.sourceTopic)", "event_id": "\(entry.eventID.map { "\($0)" } ?? "-")",
                    "dlt_offset": "\(entry.partition):\(entry.offset)"])
            }
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
        return selected
    }

    static let selectRedrives = PostgresStatement("""
        SELECT consumer, dlt_partition, dlt_offset, max(redriven_at) FROM dead_letter_redrives
        WHERE dlt_topic = $1 GROUP BY consumer, dlt_partition, dlt_offset
        """)
    static let deleteDeadLettered = PostgresStatement(
        "DELETE FROM inbox WHERE consumer = $1 AND event_id = $2 AND outcome = 'dead_lettered'")
    static let deleteAttempts = PostgresStatement("DELETE FROM handler_attempts WHERE consumer = $1 AND event_id = $2")
    static let insertRedrive = PostgresStatement("""
        INSERT INTO dead_letter_redrives (consumer, dlt_topic, dlt_partition, dlt_offset, event_id)
        VALUES ($1, $2, $3, $4, $5)
        """)
}
