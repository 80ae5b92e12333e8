import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// A private debt schema (runtime + debt migrations) on the shared PostgreSQL, a simulated clock and a
/// scheduler worker firing the debt calculator's scheduled work on it; handlers are called directly.
struct DebtFixture {
    let schema: String
    let pool: PostgresPool
    let clock: SimulatedClock
    let scheduler: SchedulerWorker
    let handler: DebtEventHandler
    static let outputTopic = "debt-test-output"

    static func make(startingOn start: CivilDate) async throws -> DebtFixture {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "debt_test_\(suffix)"
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(connectionString: try TestEnvironment.databaseURL(),
                                                     applicationName: "debt-tests", schema: schema),
            options: .init(size: 2), logger: quietLogger)
        _ = try await PostgresMigrator(schema: schema, migrations: try RuntimeMigrations.with(service: DebtMigrations.all),
                                       logger: quietLogger).migrate(using: pool)
        let clock = SimulatedClock(startingAt: at(start))
        let settings = DebtSettings(outputTopic: outputTopic)
        let scheduler = SchedulerWorker(
            database: pool, clock: clock, handlers: DebtCalculatorCore.scheduledHandlers(settings: settings),
            serviceName: "debt-test", logger: quietLogger)
        return DebtFixture(schema: schema, pool: pool, clock: clock, scheduler: scheduler,
                           handler: DebtEventHandler(settings: settings))
    }

    /// Runs `body` with a fresh fixture and drops its schema afterwards.
    static func with(startingOn start: CivilDate, _ body: (DebtFixture) async throws -> Void) async throws {
        let fixture = try await make(startingOn: start)
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

    /// Applies `event` with the debt handler, in a transaction, at the clock's now.
    func apply<E: DomainEvent>(_ event: E) async throws {
        let envelope = try EventEnvelope.wrapping(event, source: "/debt-tests", time: clock.now)
        let handler = self.handler, now = clock.now
        try await pool.withTransaction { connection in
            try handler.handle(envelope, context: HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now))
        }
    }

    /// Submits an operator request (as the CLI does), lets the scheduler fire it and returns the outcome.
    func request(_ request: DebtRequest, payments: [(row: Int, payment: IncomingPayment)] = []) async throws -> RequestOutcome {
        let id = try await pool.withTransaction { try DebtRequests.submit(request, payments: payments, on: $0) }
        try await advance(to: BusinessTimeZone.civilDate(of: clock.now))
        guard let outcome = try await pool.withConnection({ try OperatorRequestDesk.outcome(of: id, DebtRequest.self, on: $0) }) else {
            throw TestFailure("request \(id) not decided")
        }
        return outcome
    }

    /// A payment through the upstream topic's event, applied by the handler.
    func pay(_ gru: String, _ amount: String, on date: String, id: String? = nil) async throws {
        try await apply(PaymentReceived(paymentID: id ?? "P-\(gru)-\(date)-\(amount)", gruNumber: gru,
                                        amount: Sample.money(amount), paidOn: Sample.date(date), origin: "teste"))
    }

    /// The events of type `E` in the outbox, in order.
    func emitted<E: DomainEvent>(_ type: E.Type) async throws -> [E] {
        let payloads = try await pool.withConnection { connection in
            try connection.query("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY seq", [E.eventType.description])
                .map { try $0.decode([UInt8].self, at: 0) }
        }
        return try payloads.map { try EventJSON.decoder.decode(E.self, from: Data($0)) }
    }

    func outboxCount() async throws -> Int {
        try await pool.withConnection { try $0.query("SELECT count(*) FROM outbox")[0].decode(Int.self, at: 0) }
    }

    func scalar(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await pool.withConnection { try $0.query(sql, parameters).first?.decode(String?.self, at: 0) }
    }

    func state(of gru: String) async throws -> String? {
        try await scalar("SELECT state FROM grus WHERE gru_number = $1", [gru])
    }

    func position(_ registro: String, asOf date: String) async throws -> DebtPosition {
        try await pool.withConnection {
            try DebtPosition.compute(registroANS: Sample.registro(registro), asOf: Sample.date(date), on: $0)
        }
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "ressus.debt-tests")
    logger.logLevel = .warning
    return logger
}

/// Test data.
enum Sample {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func abi(_ number: Int) -> ABINumber { try! ABINumber(number) }
    static func registro(_ text: String) -> RegistroANS { try! RegistroANS(text) }
    static func money(_ text: String) -> Money { try! Money(parsing: text) }
    static func gru(_ sequence: Int64) -> String { try! GRUNumber(prefix: RulesPolicy.standard.gruIssuerPrefix, sequence: sequence).value }

    /// A document number `prefix` padded to 13 digits with `n`.
    static func document(_ n: Int, prefix: String = "41") -> SUSDocumentNumber {
        let digits = String(n)
        return try! SUSDocumentNumber(prefix + String(repeating: "0", count: 13 - prefix.count - digits.count) + digits)
    }

    /// `AtendimentosChargeable` for `registro` with atendimentos of the given final amounts (0 = annulled).
    static func chargeable(abi: Int = 7, registro: String, firstDocument: Int, amounts: [String],
                           originalDue: String = "2026-03-16", paymentDue: String? = nil,
                           chargeableOn: String = "2026-03-02") -> AtendimentosChargeable {
        let atendimentos = amounts.enumerated().map { index, text in
            let amount = money(text)
            return ChargeableAtendimento(
                document: document(firstDocument + index), outcome: amount == .zero ? .deferida : .notImpugned,
                originalAmount: amount == .zero ? money("123,45") : amount, finalAmount: amount)
        }
        return AtendimentosChargeable(
            abi: Self.abi(abi), registroANS: Self.registro(registro), atendimentos: atendimentos,
            originalDueDate: date(originalDue), paymentDueDate: date(paymentDue ?? originalDue),
            chargeableOn: date(chargeableOn))
    }
}
