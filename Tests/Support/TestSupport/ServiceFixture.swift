import Foundation
import Logging
import Models
import Postgres
import Runtime

/// Something a test sets up and must tear down, whether the test passes or fails.
public protocol TestFixture: Sendable {
    func tearDown() async
}

extension TestFixture {
    /// Runs `body` with this fixture, then tears it down, whether `body` fails or not.
    public func run(_ body: (Self) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await tearDown()
            throw error
        }
        await tearDown()
    }
}

/// The part every service test fixture shares: a private schema (runtime + the service's
/// migrations) on the shared PostgreSQL, a simulated clock and a scheduler worker firing the
/// service's scheduled work on it. Handlers are called directly (see ``ServiceFixture``).
public struct ServiceTestBed: TestFixture {
    public let schema: String
    public let pool: PostgresPool
    public let clock: SimulatedClock
    public let scheduler: SchedulerWorker
    /// Names the schema (`<name>_test_<suffix>`), the pool's application and the event source.
    public let name: String

    /// A fresh, migrated schema for service `name` whose clock starts at 09:00 of `start`.
    public static func make(
        name: String, migrations: [PostgresMigration], handlers: [any ScheduledWorkHandler],
        startingOn start: CivilDate, poolSize: Int = 2, schedulerPolicy: SchedulerPolicy = SchedulerPolicy(), logger: Logger
    ) async throws -> ServiceTestBed {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let schema = "\(name)_test_\(suffix)"
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(
                connectionString: try TestEnvironment.databaseURL(), applicationName: "\(name)-tests", schema: schema),
            options: .init(size: poolSize), logger: logger)
        do {
            _ = try await PostgresMigrator(schema: schema, migrations: try RuntimeMigrations.with(service: migrations),
                                           logger: logger).migrate(using: pool)
        } catch {
            await pool.close()
            throw error
        }
        let clock = SimulatedClock(startingAt: at(start))
        let scheduler = SchedulerWorker(database: pool, clock: clock, handlers: handlers, policy: schedulerPolicy,
                                        serviceName: "\(name)-test-\(suffix)", logger: logger)
        return ServiceTestBed(schema: schema, pool: pool, clock: clock, scheduler: scheduler, name: name)
    }

    /// Drops the schema and closes the pool.
    public func tearDown() async {
        let schema = self.schema
        _ = try? await pool.withConnection { try $0.executeScript("DROP SCHEMA \(try $0.quoteIdentifier(schema)) CASCADE") }
        await pool.close()
    }

    /// 09:00 in Brasília on `date`.
    public static func at(_ date: CivilDate) -> Date { BusinessTimeZone.startOfDay(date).addingTimeInterval(9 * 3600) }
}

/// A service test fixture: a ``ServiceTestBed`` plus the service's event handler. Conforming
/// fixtures get the shared steps (advance the clock, apply events, submit requests, read the outbox).
public protocol ServiceFixture: TestFixture {
    associatedtype Handler: EventHandler
    /// The service's operator request enum.
    associatedtype Request: DeskRequest
    var bed: ServiceTestBed { get }
    var handler: Handler { get }
}

extension ServiceFixture {
    public var schema: String { bed.schema }
    public var pool: PostgresPool { bed.pool }
    public var clock: SimulatedClock { bed.clock }
    public var scheduler: SchedulerWorker { bed.scheduler }

    public func tearDown() async { await bed.tearDown() }

    /// 09:00 in Brasília on `date`.
    public static func at(_ date: CivilDate) -> Date { ServiceTestBed.at(date) }

    /// Moves the clock to 09:00 of `date` and fires everything due; fails on any failed work.
    public func advance(to date: CivilDate) async throws {
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

    /// Applies `event` with the handler, in a transaction, at the clock's now; returns the envelope.
    @discardableResult
    public func apply<E: DomainEvent>(_ event: E) async throws -> EventEnvelope {
        let envelope = try EventEnvelope.wrapping(event, source: "/\(bed.name)-tests", time: clock.now)
        try await apply(envelope)
        return envelope
    }

    /// Applies `envelope` with the handler, in a transaction, at the clock's now.
    public func apply(_ envelope: EventEnvelope) async throws {
        let handler = self.handler, now = clock.now
        try await pool.withTransaction { connection in
            try handler.handle(envelope, context: HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now))
        }
    }

    /// Submits an operator request (as the CLI does, with `submit`), lets the scheduler fire it
    /// and returns the outcome.
    public func decide(submit: @escaping @Sendable (PostgresConnection) throws -> Int64) async throws -> RequestOutcome {
        let id = try await pool.withTransaction(submit)
        try await advance(to: BusinessTimeZone.civilDate(of: clock.now))
        guard let outcome = try await pool.withConnection({ try OperatorRequestDesk.outcome(of: id, Request.self, on: $0) }) else {
            throw TestFailure("request \(id) not decided")
        }
        return outcome
    }

    /// Submits `request` through the request desk and returns the service's outcome.
    public func request(_ request: Request) async throws -> RequestOutcome {
        try await decide { try OperatorRequestDesk.submit(request, on: $0) }
    }

    /// The events of type `E` in the outbox, in order.
    public func emitted<E: DomainEvent>(_ type: E.Type) async throws -> [E] {
        let payloads = try await pool.withConnection { connection in
            try connection.query("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY seq", [E.eventType.description])
                .map { try $0.decode([UInt8].self, at: 0) }
        }
        return try payloads.map { try EventJSON.decoder.decode(E.self, from: Data($0)) }
    }

    /// The first column of the first row of `sql`, as text.
    public func scalar(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await pool.withConnection { try $0.query(sql, parameters).first?.decode(String?.self, at: 0) }
    }
}
