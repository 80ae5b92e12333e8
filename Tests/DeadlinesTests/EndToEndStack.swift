import DeadlinesCore
import Foundation
import IntakeCore
import Kafka
import Logging
import Models
import Postgres
import Runtime
import ServiceLifecycle
import TestSupport

/// The intake and deadlines services wired as `ServiceHost` wires them (outbox relay, scheduler
/// worker, clock sync on the shared simulated clock, the deadlines' inbox consumer), running in this
/// process against the real PostgreSQL and broker, each on a private schema, with private topics, a
/// private clock topic and private consumer groups, so parallel tests and helpers never see them.
///
/// Topics: the deadlines service takes its output topic from `DeadlinesSettings`; the intake writes
/// `Topics.*` names into its outbox, so a trigger on the private intake outbox appends this run's
/// suffix to every topic name (the rows, the relay and the broker are otherwise untouched).
/// Operators act through the real `ressus` CLI (`--esquema`, `--topico` name the private parts).
///
/// Unchecked Sendable: every property is set before the stack is shared (`running` in `start()`,
/// before the test body runs); `RunningServices` is not marked Sendable.
final class EndToEndStack: @unchecked Sendable {
    let suffix: String
    let intakeSchema: String
    let deadlinesSchema: String
    let intakePool: PostgresPool
    let deadlinesPool: PostgresPool
    let kafka: KafkaConfig
    let clockTopic: String
    let operadorasTopic: String
    let notificationsTopic: String
    let deadlinesTopic: String
    let intakeClock: SimulatedClock
    let deadlinesClock: SimulatedClock
    private let services: [any Service]
    private var running: RunningServices?
    let capture: TopicCapture

    var topics: [String] { [operadorasTopic, notificationsTopic, deadlinesTopic] }

    private init(suffix: String, intakeSchema: String, deadlinesSchema: String, intakePool: PostgresPool,
                 deadlinesPool: PostgresPool, kafka: KafkaConfig, start: Date) {
        self.suffix = suffix
        self.intakeSchema = intakeSchema
        self.deadlinesSchema = deadlinesSchema
        self.intakePool = intakePool
        self.deadlinesPool = deadlinesPool
        self.kafka = kafka
        clockTopic = "ressus.clock.\(suffix)"
        operadorasTopic = Topics.operadoras.name + "." + suffix
        notificationsTopic = Topics.notifications.name + "." + suffix
        deadlinesTopic = Topics.deadlines.name + "." + suffix
        intakeClock = SimulatedClock(startingAt: start)
        deadlinesClock = SimulatedClock(startingAt: start)

        let intakeScheduler = SchedulerWorker(
            database: intakePool, clock: intakeClock, handlers: [NotifyABIHandler()], serviceName: "intake", logger: quietLogger)
        let settings = DeadlinesSettings(outputTopic: deadlinesTopic)
        let deadlinesScheduler = SchedulerWorker(
            database: deadlinesPool, clock: deadlinesClock, handlers: DeadlinesCore.scheduledHandlers(settings: settings),
            serviceName: "deadlines", logger: quietLogger)
        services = [
            OutboxRelay(service: "intake", database: intakePool.configuration, kafka: kafka, logger: quietLogger),
            intakeScheduler,
            ClockSync(clock: intakeClock, kafka: kafka, serviceName: "intake", instanceID: "intake-\(suffix)",
                      scheduler: intakeScheduler, topic: clockTopic, logger: quietLogger),
            OutboxRelay(service: "deadlines", database: deadlinesPool.configuration, kafka: kafka, logger: quietLogger),
            deadlinesScheduler,
            ClockSync(clock: deadlinesClock, kafka: kafka, serviceName: "deadlines", instanceID: "deadlines-\(suffix)",
                      scheduler: deadlinesScheduler, topic: clockTopic, logger: quietLogger),
            InboxConsumer(name: "deadlines-\(suffix)", topics: [notificationsTopic], handler: NotificationIntakeHandler(settings: settings),
                          database: deadlinesPool, kafka: kafka, clock: deadlinesClock, logger: quietLogger),
        ]
        capture = TopicCapture()
    }

    /// Runs `body` with a started stack whose clocks start at `start`; stops it and removes its
    /// schemas and topics afterwards, whatever the outcome.
    static func with(startingAt start: Date, _ body: (EndToEndStack) async throws -> Void) async throws {
        let suffix = "e2e-" + UUID().uuidString.prefix(8).lowercased()
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "deadlines-e2e")
        try await TemporarySchema.with(
            prefix: "e2e_intake", applicationName: "ressus-e2e-intake", poolSize: 3,
            migrations: try RuntimeMigrations.with(service: IntakeMigrations.all)
        ) { intakePool, intakeSchema in
            try await TemporarySchema.with(
                prefix: "e2e_deadlines", applicationName: "ressus-e2e-deadlines", poolSize: 3,
                migrations: try RuntimeMigrations.with(service: DeadlinesMigrations.all)
            ) { deadlinesPool, deadlinesSchema in
                try await intakePool.withConnection { try $0.executeScript(privateTopicsTrigger(suffix: suffix)) }
                let admin = try KafkaAdmin(config: kafka, logger: quietLogger)
                let stack = EndToEndStack(
                    suffix: suffix, intakeSchema: intakeSchema, deadlinesSchema: deadlinesSchema, intakePool: intakePool,
                    deadlinesPool: deadlinesPool, kafka: kafka, start: start)
                let created = stack.topics + [stack.clockTopic, stack.notificationsTopic + ".DLT"]
                do {
                    try await admin.createTopics(stack.topics.map { TopicSpec(name: $0, partitions: 6) }
                        + [TopicSpec(name: stack.clockTopic, partitions: 1)])
                    let reader = try KafkaConsumer(config: kafka, groupID: "reader-\(suffix)", topics: stack.topics + [stack.clockTopic],
                                                   logger: quietLogger)
                    stack.capture.start(reader)
                    stack.running = RunningServices(stack.services, logger: quietLogger)
                    try await body(stack)
                } catch {
                    await stack.stop(admin: admin, topics: created)
                    throw error
                }
                await stack.stop(admin: admin, topics: created)
            }
        }
    }

    private func stop(admin: KafkaAdmin, topics: [String]) async {
        try? await running?.stop()
        await capture.stop()
        try? await admin.deleteTopics(topics)
    }

    /// Appends `.<suffix>` to the topic of every row the intake writes to its outbox.
    private static func privateTopicsTrigger(suffix: String) -> String {
        """
        CREATE FUNCTION private_topic() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.topic := NEW.topic || '.\(suffix)'; RETURN NEW; END $$;
        CREATE TRIGGER private_topic BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION private_topic();
        """
    }

    // MARK: Operators

    /// Runs `ressus` with `arguments` (never blocking a cooperative thread: the services need them).
    func ressus(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments, timeout: .seconds(90))
    }

    /// Runs a deadlines operator command against the private deadlines schema; fails unless it exits
    /// with `status`. Returns its output (standard output and standard error).
    @discardableResult
    func deadlinesCommand(_ arguments: [String], expecting status: Int32 = 0) async throws -> String {
        let result = try await ressus(arguments + ["--esquema", deadlinesSchema, "--tempo-limite", "60"])
        guard result.status == status else {
            throw TestFailure("ressus \(arguments.joined(separator: " ")) exited \(result.status), expected \(status):\n"
                + result.output + result.error)
        }
        return result.output + result.error
    }

    /// `ressus relogio avancar --para <instant>` on the private clock topic, waiting for both services.
    func advanceClock(to instant: String) async throws {
        let result = try await ressus(["relogio", "avancar", "--para", instant, "--aguardar", "intake,deadlines",
                                       "--tempo-limite", "60", "--topico", clockTopic])
        guard result.status == 0, result.output.contains("Todos os serviços confirmaram") else {
            throw TestFailure("ressus relogio avancar --para \(instant) failed (\(result.status)):\n\(result.output)\(result.error)")
        }
    }

    // MARK: Observing

    func deadlinesScalar(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await deadlinesPool.withConnection { try $0.query(sql, parameters).first?.decode(String?.self, at: 0) }
    }

    /// The number of outbox rows written for each topic by both services.
    func outboxCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for pool in [intakePool, deadlinesPool] {
            let rows = try await pool.withConnection { connection in
                try connection.query("SELECT topic, count(*) FROM outbox GROUP BY topic")
                    .map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) }
            }
            for (topic, count) in rows { counts[topic, default: 0] += count }
        }
        return counts
    }

    /// Waits until every event both services wrote to their outboxes has been read back from the
    /// broker; returns the captured messages (those of the clock topic too), one per event id (the
    /// relay may publish twice).
    func capturedEvents(timeout: Duration = .seconds(60)) async throws -> [CapturedEvent] {
        var events: [CapturedEvent] = []
        try await waitUntil("every outbox event read back from the topics", timeout: timeout) {
            let expected = try await outboxCounts()
            events = try capture.events()
            let read = Dictionary(grouping: events.filter { $0.topic != clockTopic }, by: \.topic).mapValues(\.count)
            return expected == read
        }
        return events
    }
}

/// One event read from a topic: its CloudEvents envelope (headers) and raw payload.
struct CapturedEvent: Sendable {
    let topic: String
    let key: String?
    let headers: [String: String]
    let envelope: EventEnvelope
}

/// Reads the topics in the background and keeps every distinct event (by CloudEvents id).
final class TopicCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [UUID: CapturedEvent] = [:]
    private var failure: (any Error)?
    private var task: Task<Void, Never>?
    private var consumer: KafkaConsumer?

    func start(_ reader: KafkaConsumer) {
        let task = Task { [self] in
            while !Task.isCancelled {
                do {
                    for message in try await reader.poll(maxMessages: 500, timeout: .milliseconds(200)) {
                        let headers = message.headers.map { (name: $0.name, value: $0.value) }
                        let envelope = try CloudEventHeaders.decode(headers: headers, key: message.key, value: message.value)
                        let event = CapturedEvent(
                            topic: message.topic, key: message.key.map { String(decoding: $0, as: UTF8.self) },
                            headers: Dictionary(headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }) { _, last in last },
                            envelope: envelope)
                        lock.withLock { byID[envelope.id] = event }
                    }
                } catch {
                    lock.withLock { failure = failure ?? error }
                    return
                }
            }
        }
        lock.withLock {
            self.task = task
            consumer = reader
        }
    }

    /// The events read so far, in no particular order; throws what stopped the reader, if anything.
    func events() throws -> [CapturedEvent] {
        try lock.withLock {
            if let failure { throw failure }
            return Array(byID.values)
        }
    }

    func stop() async {
        let (task, consumer) = lock.withLock { (self.task, self.consumer) }
        task?.cancel()
        _ = await task?.value
        try? await consumer?.close()
    }
}
