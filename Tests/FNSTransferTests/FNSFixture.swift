import FNSTransferCore
import Foundation
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// A private FNS schema (runtime + FNS migrations) on the shared PostgreSQL, a simulated clock and a
/// scheduler worker firing the FNS service's scheduled work on it.
struct FNSFixture {
    let schema: String
    let pool: PostgresPool
    let clock: SimulatedClock
    let scheduler: SchedulerWorker
    let handler: FNSEventHandler
    let settings: FNSSettings

    static func make(startingOn start: CivilDate, outputTopic: String = "fns-test-output") async throws -> FNSFixture {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "fns_test_\(suffix)"
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(
                connectionString: try TestEnvironment.databaseURL(), applicationName: "fns-tests", schema: schema),
            options: .init(size: 3), logger: quietLogger)
        _ = try await PostgresMigrator(schema: schema, migrations: try RuntimeMigrations.with(service: FNSMigrations.all),
                                       logger: quietLogger).migrate(using: pool)
        let clock = SimulatedClock(startingAt: at(start))
        let settings = FNSSettings(outputTopic: outputTopic, source: "/fns-tests")
        let scheduler = SchedulerWorker(
            database: pool, clock: clock, handlers: FNSTransferCore.scheduledHandlers(settings: settings),
            serviceName: "fns-test-\(suffix)", logger: quietLogger)
        return FNSFixture(schema: schema, pool: pool, clock: clock, scheduler: scheduler,
                          handler: FNSEventHandler(settings: settings), settings: settings)
    }

    /// Runs `body` with a fresh fixture and drops its schema afterwards.
    static func with(startingOn start: CivilDate, _ body: (FNSFixture) async throws -> Void) async throws {
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

    /// Applies `event` with the FNS handler, in a transaction, at the clock's now; returns the envelope.
    @discardableResult
    func apply<E: DomainEvent>(_ event: E) async throws -> EventEnvelope {
        let envelope = try EventEnvelope.wrapping(event, source: "/fns-tests", time: clock.now)
        try await apply(envelope)
        return envelope
    }

    func apply(_ envelope: EventEnvelope) async throws {
        let handler = self.handler, now = clock.now
        try await pool.withTransaction { connection in
            try handler.handle(envelope, context: HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now))
        }
    }

    /// Submits an operator request (as the CLI does), lets the scheduler fire it and returns the outcome.
    func request(_ request: FNSRequest) async throws -> RequestOutcome {
        let id = try await pool.withTransaction { try OperatorRequestDesk.submit(request, on: $0) }
        try await advance(to: BusinessTimeZone.civilDate(of: clock.now))
        guard let outcome = try await pool.withConnection({ try OperatorRequestDesk.outcome(of: id, FNSRequest.self, on: $0) }) else {
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

    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await pool.withConnection(body)
    }

    func scalar(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await pool.withConnection { try $0.query(sql, parameters).first?.decode(String?.self, at: 0) }
    }
}

/// Test data: the debt calculator's, deadlines' and intake's events as they would arrive.
enum Sample {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func month(_ text: String) -> YearMonth { try! YearMonth(parsing: text) }
    static func registro(_ text: String = "123456") -> RegistroANS { try! RegistroANS(text) }
    static func gru(_ sequence: Int64) -> GRUNumber { try! GRUNumber(prefix: "0000001", sequence: sequence) }
    static func document(_ n: Int) -> SUSDocumentNumber {
        let digits = String(n)
        return try! SUSDocumentNumber("35" + String(repeating: "0", count: 11 - digits.count) + digits)
    }

    static func settled(_ id: String, gru: Int64 = 1, paidOn: String, principal: Int64, multa: Int64 = 0, juros: Int64 = 0,
                        registro: String = "123456") -> PaymentSettled {
        PaymentSettled(paymentID: id, gruNumber: Self.gru(gru), registroANS: Self.registro(registro), paidOn: date(paidOn),
                       principal: Money(centavos: principal), multa: Money(centavos: multa), juros: Money(centavos: juros),
                       total: Money(centavos: principal + multa + juros))
    }

    static func gruIssued(_ sequence: Int64, purpose: GRUPurpose = .charge, principal: Int64, issuedOn: String,
                          parcelamento: String? = nil, registro: String = "123456") -> GRUIssued {
        GRUIssued(gruNumber: gru(sequence), registroANS: Self.registro(registro), purpose: purpose, chargeIDs: ["c\(sequence)"],
                  abis: [try! ABINumber(1)], principal: Money(centavos: principal), multa: .zero, juros: .zero,
                  amount: Money(centavos: principal), issuedOn: date(issuedOn), dueDate: date(issuedOn).adding(days: 15),
                  accrualDate: date(issuedOn).adding(days: 15), parcelamentoID: parcelamento ?? (purpose == .installment ? "p1" : nil),
                  installment: purpose == .installment ? 1 : nil, linhaDigitavel: "0")
    }

    static func stateChanged(_ sequence: Int64, from previous: GRUState, to state: GRUState, on: String, principal: Int64,
                             openAfter: Int64, registro: String = "123456") -> GRUStateChanged {
        GRUStateChanged(gruNumber: gru(sequence), registroANS: Self.registro(registro), previousState: previous, state: state,
                        effectiveOn: date(on), principal: Money(centavos: principal), openPrincipal: Money(centavos: openAfter),
                        paidTotal: .zero, credit: .zero, accrualDate: date(on), reason: "teste")
    }

    static func charge(_ id: String, atendimentos: [(Int, Int64)], issuedOn: String, gru: Int64?,
                       registro: String = "123456") -> ChargeIssued {
        let items = atendimentos.map { ChargedAtendimento(document: document($0.0), amount: Money(centavos: $0.1)) }
        return ChargeIssued(chargeID: id, abi: try! ABINumber(1), registroANS: Self.registro(registro), atendimentos: items,
                            total: Money.sum(items.map(\.amount)), gruNumber: gru.map(Self.gru),
                            accumulatedSmallCharges: .zero, issuedOn: date(issuedOn))
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "fns-tests")
    logger.logLevel = .critical
    return logger
}
