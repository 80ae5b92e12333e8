import DeadlinesCore
import Foundation
import Kafka
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// A private deadlines schema (runtime + deadlines migrations) on the shared PostgreSQL, a simulated
/// clock and a scheduler worker firing the deadlines' scheduled work on it.
struct DeadlinesFixture {
    let schema: String
    let pool: PostgresPool
    let clock: SimulatedClock
    let scheduler: SchedulerWorker
    let handler: NotificationIntakeHandler
    let settings: DeadlinesSettings
    static let outputTopic = "deadlines-test-output"

    static func databaseURL() throws -> String { try TestEnvironment.databaseURL() }
    static func brokers() throws -> String { try TestEnvironment.kafkaBrokers() }

    static func make(startingOn start: CivilDate, outputTopic: String = outputTopic, releaseBatchSize: Int = 500) async throws -> DeadlinesFixture {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "deadlines_test_\(suffix)"
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(connectionString: try databaseURL(), applicationName: "deadlines-tests", schema: schema),
            options: .init(size: 2), logger: quietLogger)
        _ = try await PostgresMigrator(schema: schema, migrations: try RuntimeMigrations.with(service: DeadlinesMigrations.all),
                                       logger: quietLogger).migrate(using: pool)
        let clock = SimulatedClock(startingAt: at(start))
        let settings = DeadlinesSettings(outputTopic: outputTopic, releaseBatchSize: releaseBatchSize)
        let scheduler = SchedulerWorker(
            database: pool, clock: clock, handlers: DeadlinesCore.scheduledHandlers(settings: settings),
            serviceName: "deadlines-test", logger: quietLogger)
        return DeadlinesFixture(schema: schema, pool: pool, clock: clock, scheduler: scheduler,
                                handler: NotificationIntakeHandler(settings: settings), settings: settings)
    }

    /// Runs `body` with a fresh fixture and drops its schema afterwards.
    static func with(startingOn start: CivilDate, releaseBatchSize: Int = 500,
                     _ body: (DeadlinesFixture) async throws -> Void) async throws {
        let fixture = try await make(startingOn: start, releaseBatchSize: releaseBatchSize)
        do {
            try await body(fixture)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    func tearDown() async {
        let schema = self.schema
        _ = try? await pool.withConnection { try $0.executeScript("DROP SCHEMA \(try $0.quoteIdentifier(schema)) CASCADE") }
        await pool.close()
    }

    /// 09:00 in Brasília on `date`.
    static func at(_ date: CivilDate) -> Date { BusinessTimeZone.startOfDay(date).addingTimeInterval(9 * 3600) }

    /// Moves the clock to 09:00 of `date` and fires everything due.
    func advance(to date: CivilDate) async throws {
        clock.advance(to: Self.at(date))
        let report = try await scheduler.fireDue()
        if report.failures > 0 {
            let errors = try await pool.withConnection { connection in
                try connection.query("SELECT kind, work_key, last_error FROM scheduled_work WHERE last_error IS NOT NULL")
                    .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)): \(try $0.decode(String.self, at: 2))" }
            }
            throw TestFailure("scheduled work failed: \(errors)")
        }
    }

    /// Applies `event` with the notification handler, in a transaction, at the clock's now.
    func apply<E: DomainEvent>(_ event: E) async throws {
        let envelope = try EventEnvelope.wrapping(event, source: "/deadlines-tests", time: clock.now)
        let handler = self.handler, now = clock.now
        try await pool.withTransaction { connection in
            try handler.handle(envelope, context: HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now))
        }
    }

    /// Submits an operator request (as the CLI does), lets the scheduler fire it and returns the outcome.
    func request(_ request: OperatorRequest) async throws -> RequestOutcome {
        let id = try await pool.withTransaction { try OperatorRequestDesk.submit(request, on: $0) }
        try await advance(to: BusinessTimeZone.civilDate(of: clock.now))
        guard let outcome = try await pool.withConnection({ try OperatorRequestDesk.outcome(of: id, OperatorRequest.self, on: $0) }) else {
            throw TestFailure("request \(id) not decided")
        }
        return outcome
    }

    /// The events of type `E` in the outbox, in order.
    func emitted<E: DomainEvent>(_ type: E.Type) async throws -> [E] {
        let payloads = try await pool.withConnection { connection in
            try connection.query("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY seq", [E.eventType.description])
                .map { try $0.decode([UInt8].self, at: 0) }
        }
        return try payloads.map { try EventJSON.decoder.decode(E.self, from: Data($0)) }
    }

    func scalar(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await pool.withConnection { try $0.query(sql, parameters).first?.decode(String?.self, at: 0) }
    }

    func state(of document: String) async throws -> String? {
        try await scalar("SELECT state FROM atendimentos WHERE document = $1", [document])
    }
}

/// Test data.
enum Sample {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func abi(_ number: Int) -> ABINumber { try! ABINumber(number) }
    static func registro(_ text: String) -> RegistroANS { try! RegistroANS(text) }
    static func document(_ text: String) -> SUSDocumentNumber { try! SUSDocumentNumber(text) }

    /// A document number `prefix` padded to 13 digits with `n`.
    static func documentNumber(_ n: Int, prefix: String = "31") -> String {
        let digits = String(n)
        return prefix + String(repeating: "0", count: 13 - prefix.count - digits.count) + digits
    }

    static func atendimento(_ document: String, amount: Int64) -> Models.AtendimentoRecord {
        Models.AtendimentoRecord(
            kind: .aih, document: try! SUSDocumentNumber(document), competencia: try! YearMonth(parsing: "2025-10"),
            beneficiaryCode: "B123", birthDate: date("1970-05-01"), careStart: date("2025-10-03"),
            careEnd: date("2025-10-08"), cnes: try! CNES("1234567"), procedure: try! SIGTAPCode("0303010010"),
            quantity: 1, susValue: Money(centavos: amount * 2 / 3), amountToReimburse: Money(centavos: amount))
    }

    static func issued(abi: Int, registro: String, availableOn: String, atendimentos: [Models.AtendimentoRecord],
                       batchCount: Int) -> NotificationIssued {
        NotificationIssued(
            abi: Self.abi(abi), registroANS: Self.registro(registro), availableOn: date(availableOn),
            atendimentoCount: atendimentos.count, totalToReimburse: Money.sum(atendimentos.map(\.amountToReimburse)),
            batchCount: batchCount)
    }

    static func batch(abi: Int, registro: String, number: Int, _ atendimentos: [Models.AtendimentoRecord]) -> NotificationAtendimentos {
        NotificationAtendimentos(abi: Self.abi(abi), registroANS: Self.registro(registro), batch: number, atendimentos: atendimentos)
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "deadlines-tests")
    logger.logLevel = .critical
    return logger
}
