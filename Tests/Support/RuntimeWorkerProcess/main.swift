// A messaging worker process for the runtime crash tests (Tests/RuntimeTests/CrashTests.swift): runs
// one runtime component until SIGTERM (graceful) or SIGKILL (the test's crash), printing progress
// lines to stdout so the test can choose the moment to kill it.
//
//   runtime-test-worker consume --schema S --topic T --group G --type TYPE [--emit TOPIC] [--batch N]
//       An InboxConsumer (group G) on T into schema S. Its handler accepts events of TYPE (rendered,
//       e.g. br.gov.ans.ressus.test.happened.v1) whose JSON payload has "key" and "sequence", and
//       inserts one row into S.effects (event_id, partition_key, sequence, applied_at); with --emit
//       it also appends one outbox event per event to TOPIC. Prints `applied N`.
//   runtime-test-worker relay --schema S [--batch N]
//       An OutboxRelay on schema S. Prints `published N`.
//
// Database from RESSUS_DATABASE_URL, brokers from RESSUS_KAFKA_BROKERS. Its PostgreSQL sessions
// are named `runtime-test-worker-<mode>-<schema>` (application_name). Prints `ready` once SIGTERM
// is handled (before that, SIGTERM kills it).
import Foundation
import Kafka
import Logging
import Models
import Postgres
import Runtime
import ServiceLifecycle

let usage = """
    usage: runtime-test-worker consume --schema S --topic T --group G --type TYPE [--emit TOPIC] [--batch N]
           runtime-test-worker relay --schema S [--batch N]
    environment: RESSUS_DATABASE_URL, RESSUS_KAFKA_BROKERS

    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("runtime-test-worker: \(message)\n\(usage)".utf8))
    exit(2)
}

/// `--name value` pairs after the mode.
func options(_ arguments: ArraySlice<String>) -> [String: String] {
    var result: [String: String] = [:]
    var rest = arguments
    while let name = rest.popFirst() {
        guard name.hasPrefix("--"), let value = rest.popFirst() else { fail("unexpected argument \(name)") }
        result[String(name.dropFirst(2))] = value
    }
    return result
}

let environment = ProcessInfo.processInfo.environment
guard let url = environment["RESSUS_DATABASE_URL"], !url.isEmpty,
      let brokers = environment["RESSUS_KAFKA_BROKERS"], !brokers.isEmpty else {
    fail("RESSUS_DATABASE_URL and RESSUS_KAFKA_BROKERS must be set")
}
guard CommandLine.arguments.count >= 2 else { fail("no mode given") }
let mode = CommandLine.arguments[1]
let given = options(CommandLine.arguments.dropFirst(2))
func required(_ name: String) -> String {
    guard let value = given[name] else { fail("--\(name) is required for \(mode)") }
    return value
}
let batchSize: Int? = given["batch"].map {
    guard let size = Int($0), size > 0 else { fail("--batch must be a positive number") }
    return size
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let schema = required("schema")
let database = try PostgresConfiguration(
    connectionString: url, applicationName: "runtime-test-worker-\(mode)-\(schema)", schema: schema)
let kafka = KafkaConfig(bootstrapServers: brokers, clientID: "runtime-test-worker")

/// The component to run and the progress it reports.
let service: any Service
let progress: @Sendable () -> String
switch mode {
case "consume":
    guard let type = EventType(rendered: required("type")) else { fail("--type is not NAME.vN") }
    let pool = PostgresPool(configuration: database, options: .init(size: 2))
    let consumer = InboxConsumer(
        name: required("group"), topics: [required("topic")],
        handler: EffectRecorder(type: type, emitTopic: given["emit"]), database: pool, kafka: kafka,
        clock: WallClock(), options: InboxConsumerOptions(batchSize: batchSize ?? 500))
    service = consumer
    progress = { "applied \(consumer.statistics.applied)" }
case "relay":
    let relay = OutboxRelay(
        service: "runtime-test-worker", database: database, kafka: kafka,
        options: OutboxRelay.Options(
            batchSize: batchSize ?? 1_000, idleInterval: .milliseconds(50), lockRetryInterval: .milliseconds(200),
            initialBackoff: .milliseconds(200), maximumBackoff: .seconds(1)))
    service = relay
    progress = { "published \(relay.statistics.published)" }
default:
    fail("unknown mode \(mode)")
}

/// Inserts one `effects` row per event and, with an emit topic, appends one outbox event; a batch
/// with one multi-row INSERT and one multi-row outbox append.
struct EffectRecorder: EventHandler {
    let type: EventType
    let emitTopic: String?
    var acceptedTypes: Set<EventType> { [type] }

    func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        let (key, sequence) = try keyAndSequence(event)
        try context.connection.execute(
            "INSERT INTO effects (event_id, partition_key, sequence, applied_at) VALUES ($1, $2, $3, $4)",
            [event.id, key, sequence, context.now])
        if let emitTopic { try context.outbox.append(emitted(event, at: context.now), topic: emitTopic) }
    }

    func handleBatch(_ events: [EventEnvelope], context: HandlerContext) throws {
        var ids: [String] = [], keys: [String] = [], sequences: [String] = []
        for event in events {
            let (key, sequence) = try keyAndSequence(event)
            ids.append(event.id.uuidString)
            keys.append(key)
            sequences.append(String(sequence))
        }
        try context.connection.execute("""
            INSERT INTO effects (event_id, partition_key, sequence, applied_at)
            SELECT e.id::uuid, e.key, e.sequence::bigint, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS e(id, key, sequence)
            """, [ids, keys, sequences, context.now])
        if let emitTopic { try context.outbox.append(contentsOf: events.map { (emitted($0, at: context.now), emitTopic) }) }
    }

    private func keyAndSequence(_ event: EventEnvelope) throws -> (String, Int) {
        guard let payload = try JSONSerialization.jsonObject(with: event.payload) as? [String: Any],
              let key = payload["key"] as? String, let sequence = payload["sequence"] as? Int else {
            throw MalformedPayload(eventID: event.id)
        }
        return (key, sequence)
    }

    private func emitted(_ event: EventEnvelope, at now: Date) -> EventEnvelope {
        EventEnvelope(type: type, source: "runtime-test-worker", time: now,
                      partitionKey: event.partitionKey, causationId: event.id, payload: event.payload)
    }
}

struct MalformedPayload: Error, CustomStringConvertible {
    let eventID: UUID
    var description: String { "event \(eventID): payload has no \"key\" and \"sequence\"" }
}

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let reporter = Task {
    var last = ""
    while !Task.isCancelled {
        let line = progress()
        if line != last { say(line) }
        last = line
        try? await Task.sleep(for: .milliseconds(20))
    }
}
/// Says `ready` once the group runs its services (its signal handlers are installed by then).
struct ReadyAnnouncer: Service {
    func run() async throws {
        say("ready")
        try? await gracefulShutdown()
    }
}

let group = ServiceGroup(configuration: ServiceGroupConfiguration(
    services: [service, ReadyAnnouncer()], gracefulShutdownSignals: [.sigterm, .sigint],
    logger: Logger(label: "runtime-test-worker")))
try await group.run()
reporter.cancel()
say(progress())
say("stopped")
