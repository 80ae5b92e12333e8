import Foundation
import Kafka
import Logging
import Metrics
import Models
import Postgres
import Runtime
import ServiceLifecycle
import TestSupport
import Testing

/// A private schema (runtime tables + an `effects` table), a fresh topic and a consumer name for one
/// inbox test, against the real PostgreSQL and Tansu from the environment.
struct InboxFixture: TestFixture {
    let schema: String
    let topic: String
    let consumerName: String
    let database: PostgresPool
    let kafka: KafkaConfig
    static let eventType = EventType.ressus("test.happened", version: 1)
    static let emittedTopic = "inbox-test-emitted"

    static func make(partitions: Int = 3) async throws -> InboxFixture {
        let url = try TestEnvironment.databaseURL()
        let brokers = try TestEnvironment.kafkaBrokers()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "inbox_test_\(suffix)"
        let database = PostgresPool(
            configuration: try PostgresConfiguration(connectionString: url, applicationName: "inbox-tests-\(suffix)", schema: schema),
            options: .init(size: 2), logger: quietLogger)
        _ = try await PostgresMigrator(schema: schema, migrations: RuntimeMigrations.all,
                                       logger: quietLogger).migrate(using: database)
        try await database.withConnection { connection in
            try connection.executeScript("""
                CREATE TABLE effects (
                    seq           bigserial PRIMARY KEY,
                    event_id      uuid NOT NULL,
                    partition_key text NOT NULL,
                    sequence      integer NOT NULL,
                    applied_at    timestamptz NOT NULL
                );
                """)
        }
        let kafka = KafkaConfig(bootstrapServers: brokers, clientID: "ressus-inbox-tests")
        let topic = "inbox-test-\(suffix)"
        try await KafkaAdmin(config: kafka, logger: quietLogger)
            .createTopics([TopicSpec(name: topic, partitions: partitions)])
        return InboxFixture(schema: schema, topic: topic, consumerName: "inbox-test-consumer-\(suffix)",
                            database: database, kafka: kafka)
    }

    /// Runs `body` with a fresh fixture and tears it down afterwards, whether `body` fails or not.
    static func with(partitions: Int, _ body: (InboxFixture) async throws -> Void) async throws {
        try await make(partitions: partitions).run(body)
    }

    /// Drops the schema and the topics.
    func tearDown() async {
        try? await database.withConnection { try $0.executeScript("DROP SCHEMA \(schema) CASCADE") }
        await database.close()
        try? await KafkaAdmin(config: kafka, logger: quietLogger)
            .deleteTopics([topic, DeadLetterMessage.topic(for: topic)])
    }

    /// A test event: key and per-key sequence in the JSON payload; `emit` makes the handler append
    /// one outbox event.
    static func event(key: String, sequence: Int, emit: Bool = false) -> EventEnvelope {
        let payload = try! JSONSerialization.data(withJSONObject: ["key": key, "sequence": sequence, "emit": emit])
        return EventEnvelope(type: eventType, source: "inbox-tests", time: Date(), partitionKey: key, payload: payload)
    }

    func message(_ event: EventEnvelope) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: event.partitionKey, value: Array(event.payload),
                        headers: CloudEventHeaders.encode(event).map { KafkaHeader(name: $0.name, value: $0.value) })
    }

    /// Produces `messages` and waits for every acknowledgement.
    func produce(_ messages: [OutgoingMessage]) async throws {
        let producer = try KafkaProducer(config: kafka, logger: quietLogger)
        for result in await producer.sendBatch(messages) { _ = try result.get() }
        await producer.close()
    }

    func consumer(_ handler: TestHandler, options: InboxConsumerOptions = InboxConsumerOptions(),
                  metrics: (any MetricsFactory)? = nil) -> InboxConsumer {
        InboxConsumer(name: consumerName, topics: [topic], handler: handler, database: database, kafka: kafka,
                      clock: SimulatedClock(startingAt: Self.businessNow), options: options, logger: quietLogger,
                      metrics: metrics)
    }

    /// The simulated business time the handlers see.
    static let businessNow = Date(timeIntervalSince1970: 1_790_000_000)

    func count(_ sql: String) async throws -> Int {
        try await database.withConnection { try $0.query(sql)[0].decode(Int.self, at: 0) }
    }
}

/// Runs `service` (an inbox consumer, a relay) in a service group until `body` returns, then shuts
/// it down gracefully and waits for it to return.
func running<T>(_ service: any Service, _ body: () async throws -> T) async throws -> T {
    let group = ServiceGroup(services: [service], logger: quietLogger)
    let task = Task { try await group.run() }
    do {
        let value = try await body()
        await group.triggerGracefulShutdown()
        try await task.value
        return value
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        throw error
    }
}

/// Inserts one `effects` row per event (in the consumer's transaction); throws for poisoned ids;
/// appends one outbox event when the payload says `emit`.
final class TestHandler: EventHandler, @unchecked Sendable {
    struct Poisoned: Error, CustomStringConvertible {
        let id: UUID
        var description: String { "poisoned event \(id.uuidString.lowercased())" }
    }

    let acceptedTypes: Set<EventType> = [InboxFixture.eventType]
    private let lock = NSLock()
    private var poisoned: Set<UUID>  // guarded by `lock`

    private var connectionKillers: Set<UUID>  // guarded by `lock`

    /// `killsConnection`: events that, the first time they are handled, terminate the handler's
    /// own database connection (as if the server went away mid-transaction).
    /// `delay`: how long each event takes to handle (to keep a consumer busy in rebalance tests).
    init(poisoned: Set<UUID> = [], killsConnection: Set<UUID> = [], delay: Duration = .zero) {
        self.poisoned = poisoned
        connectionKillers = killsConnection
        self.delay = delay
    }
    private let delay: Duration

    /// "Fixes" the handler: it stops throwing.
    func cure() { lock.withLock { poisoned.removeAll() } }

    func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        if lock.withLock({ poisoned.contains(event.id) }) { throw Poisoned(id: event.id) }
        if lock.withLock({ connectionKillers.remove(event.id) != nil }) {
            try context.connection.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        }
        if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds)) }
        let payload = try JSONSerialization.jsonObject(with: event.payload) as! [String: Any]
        try context.connection.execute(
            "INSERT INTO effects (event_id, partition_key, sequence, applied_at) VALUES ($1, $2, $3, $4)",
            [event.id, payload["key"] as! String, payload["sequence"] as! Int, context.now])
        if payload["emit"] as? Bool == true {
            let emitted = EventEnvelope(type: InboxFixture.eventType, source: "inbox-tests", time: context.now,
                                        partitionKey: event.partitionKey, causationId: event.id, payload: event.payload)
            try context.outbox.append(emitted, topic: InboxFixture.emittedTopic)
        }
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "inbox-tests")
    logger.logLevel = .critical
    return logger
}
