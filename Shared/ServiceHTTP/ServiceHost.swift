import Foundation
import Hummingbird
import Kafka
import Logging
import Models
import Postgres
import Runtime
import ServiceLifecycle

/// Runs one service executable: reads the configuration, installs logging and Prometheus metrics,
/// starts the HTTP endpoint (`HTTPEndpoint`), connects to PostgreSQL (applying the service's
/// migrations) and Kafka, then runs the service's components in a `ServiceGroup` until SIGTERM or
/// SIGINT, and shuts down within the configured bound (`RESSUS_SHUTDOWN_TIMEOUT_SECONDS`).
///
/// Logs `http listening` (with the port) as soon as the endpoint is up, `service ready` once
/// connected, and `service stopped` after a clean shutdown; the local run scripts and tests wait
/// for these lines. While starting (e.g. waiting for the database) the endpoint already answers:
/// live, but not ready (503).
public enum ServiceHost {
    /// Builds the long-running components of a service from its context.
    public typealias Components = @Sendable (ServiceContext) async throws -> [any Service]
    /// Adds a service's own HTTP routes (e.g. the portal) to its endpoint, next to `/health` and
    /// `/metrics`. The context's database is usable once the service is ready (migrations applied).
    public typealias Routes = @Sendable (Router<BasicRequestContext>, ServiceContext) -> Void

    /// Runs the service and returns the process exit status: 0 after a clean shutdown (also when
    /// stopped while still starting), 1 when it failed, 2 for a configuration error.
    ///
    /// Every service gets the runtime: its schema migrated with the runtime tables plus
    /// `migrations` (versions from ``RuntimeMigrations/firstServiceVersion``), the outbox relay,
    /// the durable scheduler (firing `scheduled`), the shared simulated clock when
    /// `RESSUS_CLOCK=simulated`, and, when `handler` is given, an inbox consumer of `topics` (group
    /// and inbox name = the service name, or `RESSUS_<SERVICE>_CONSUMER_GROUP`). `components` adds the service's own long-running parts;
    /// `routes` its own HTTP routes.
    public static func run(
        _ descriptor: ServiceDescriptor,
        migrations: [PostgresMigration] = [],
        topics: [String] = [],
        handler: (any EventHandler)? = nil,
        scheduled: [any ScheduledWorkHandler] = [],
        components: @escaping Components = { _ in [] },
        routes: @escaping Routes = { _, _ in }
    ) async -> Int32 {
        let subscription = handler.map { InboxSubscription(topics: topics, handler: $0) }
        let configuration: ServiceConfiguration
        let http: HTTPEndpointConfiguration
        do {
            configuration = try ServiceConfiguration(for: descriptor)
            http = try ServiceConfiguration.httpEndpoint(for: descriptor)
        } catch {
            FileHandle.standardError.write(Data("ressus-\(descriptor.name): \(error)\n".utf8))
            return 2
        }
        LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let registry = ServiceMetrics.bootstrap()
        var logger = Logger(label: "ressus.\(descriptor.name)")
        logger[metadataKey: "service"] = "\(descriptor.name)"

        let database: PostgresPool
        let kafka = KafkaConfig(
            bootstrapServers: configuration.kafkaBrokers, clientID: "ressus-\(descriptor.name)",
            properties: configuration.kafkaProperties)
        let admin: KafkaAdmin
        do {
            let postgres = try PostgresConfiguration(
                connectionString: configuration.databaseURL, applicationName: "ressus-\(descriptor.name)", service: descriptor)
            database = PostgresPool(
                configuration: postgres, options: .init(size: configuration.databasePoolSize), logger: logger)
            admin = try KafkaAdmin(config: kafka, logger: logger)
        } catch {
            logger.critical("invalid configuration", metadata: ["error": "\(error)"])
            return 2
        }

        let context = ServiceContext(
            descriptor: descriptor, configuration: configuration, logger: logger,
            database: database, kafka: kafka, clock: configuration.clock.makeClock())
        let readiness = ServiceReadiness()
        let health = HealthChecks(readiness: readiness, database: database, broker: admin)
        let endpoint = HTTPEndpoint.makeApplication(
            configuration: http, health: health, registry: registry, logger: logger,
            routes: { router in routes(router, context) })
        let allMigrations: [PostgresMigration]
        do {
            allMigrations = try RuntimeMigrations.with(service: migrations)
        } catch {
            logger.critical("invalid migrations", metadata: ["error": "\(error)"])
            return 2
        }
        let core = ServiceCore(
            descriptor: descriptor, configuration: configuration, migrations: allMigrations,
            subscription: subscription, scheduled: scheduled,
            components: components, context: context, admin: admin,
            readiness: readiness, logger: logger)

        // Graceful shutdown runs in reverse order: the core drains first, the endpoint goes last.
        let group = ServiceGroup(configuration: groupConfiguration(
            services: [endpoint, core], shutdownTimeout: configuration.shutdownTimeout, logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            await database.close()
            return 1
        }
        await database.close()
        if let stopping = readiness.stoppingFor, stopping > configuration.shutdownTimeout {
            logger.warning("graceful shutdown overran its bound; components were cancelled", metadata: [
                "bound": "\(configuration.shutdownTimeout)", "took": "\(stopping)",
            ])
        }
        logger.info("service stopped")
        return 0
    }

    /// How long the services get to react to cancellation once the graceful shutdown bound has
    /// passed; after that the process stops with a fatal error rather than hang.
    public static let cancellationTimeout: Duration = .seconds(5)

    /// The host's group: graceful shutdown on SIGTERM and SIGINT (unless `handlesSignals` is
    /// false), bounded by `shutdownTimeout`, then cancellation, bounded by `cancellationTimeout`.
    static func groupConfiguration(
        services: [any Service], shutdownTimeout: Duration, logger: Logger, handlesSignals: Bool = true
    ) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: handlesSignals ? [.sigterm, .sigint] : [], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        configuration.maximumCancellationDuration = cancellationTimeout
        return configuration
    }
}

/// Connects (migrations, broker metadata), then runs the service's components and the consumer
/// lag reporter in a group of their own until the graceful shutdown; a graceful shutdown while
/// still connecting cancels the connecting.
struct ServiceCore: Service {
    let descriptor: ServiceDescriptor
    let configuration: ServiceConfiguration
    let migrations: [PostgresMigration]
    let subscription: InboxSubscription?
    let scheduled: [any ScheduledWorkHandler]
    let components: ServiceHost.Components
    let context: ServiceContext
    let admin: KafkaAdmin
    var database: PostgresPool { context.database }
    var kafka: KafkaConfig { context.kafka }
    let readiness: ServiceReadiness
    let logger: Logger

    func run() async throws {
        let context: ServiceContext? = try await cancelWhenGracefulShutdown { try await connect() }
        guard let context, !Task.isShuttingDownGracefully else {
            logger.info("stopped while starting")
            return
        }
        let consumers = context.consumers
        let services = runtimeComponents(context) + (try await components(context)) + [
            ConsumerLagReporter(consumers: { consumers.all }, logger: logger),
            ReadinessMarker(readiness: readiness, logger: logger),
        ]
        // The nested group follows this service's graceful shutdown; the outer group bounds it.
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// Applies the migrations and checks the broker; nil when cancelled by a graceful shutdown.
    private func connect() async throws -> ServiceContext? {
        do {
            let applied = try await PostgresMigrator(schema: descriptor.schema, migrations: migrations, logger: logger)
                .migrate(using: database)
            logger.info("database connected", metadata: ["schema": "\(descriptor.schema)", "migrations_applied": "\(applied)"])
            let topics = try await admin.listTopics()
            logger.info("broker connected", metadata: ["brokers": "\(configuration.kafkaBrokers)", "topics": "\(topics.count)"])
            // The topics between the services exist before anyone subscribes (idempotent).
            try await admin.createTopics(BrokerWatch.sharedTopics)
        } catch where Task.isCancelled {
            return nil
        }
        return context
    }

    /// The runtime's own components: outbox relay, scheduler, clock sync (simulated clock only)
    /// and the inbox consumer (when the service subscribes to topics). Under a simulated clock the
    /// consumer starts only once the clock has caught up with the clock topic.
    private func runtimeComponents(_ context: ServiceContext) -> [any Service] {
        let relay = OutboxRelay(
            service: descriptor.name, database: database.configuration, kafka: kafka,
            options: configuration.outbox, logger: logger)
        let scheduler = SchedulerWorker(
            database: database, clock: context.clock, handlers: scheduled, policy: configuration.scheduler,
            serviceName: descriptor.name, logger: logger)
        var services: [any Service] = [relay, scheduler]
        var clockSync: ClockSync?
        if let simulated = context.clock as? SimulatedClock {
            let sync = ClockSync(
                clock: simulated, kafka: kafka, serviceName: descriptor.name, scheduler: scheduler,
                topic: configuration.clockTopic, logger: logger)
            services.append(sync)
            clockSync = sync
        }
        if let subscription {
            let consumer = InboxConsumer(
                name: configuration.consumerGroup, topics: subscription.topics, handler: subscription.handler,
                database: database, kafka: kafka, clock: context.clock, options: configuration.inbox, logger: logger,
                registry: context.consumers)
            let sync = clockSync
            services.append(StartingAfter(consumer) { await sync?.caughtUp() })
        }
        return services
    }
}

/// The topics a service consumes and the handler that applies their events.
struct InboxSubscription: Sendable {
    let topics: [String]
    let handler: any EventHandler
}

/// Runs `service` once `precondition` has returned (skipped when shut down before that).
struct StartingAfter: Service {
    let service: any Service
    let precondition: @Sendable () async -> Void

    init(_ service: any Service, precondition: @escaping @Sendable () async -> Void) {
        self.service = service
        self.precondition = precondition
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await precondition() }
        guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
        try await service.run()
    }
}

/// Logs `service ready` and marks the service ready once the group runs and the HTTP endpoint
/// listens; on graceful shutdown marks it not ready (so load balancers stop sending work) and logs
/// `shutting down`.
struct ReadinessMarker: Service {
    let readiness: ServiceReadiness
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await readiness.waitUntilListening() }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        readiness.markStarted()
        logger.info("service ready")
        try? await gracefulShutdown()
        readiness.markStopping()
        logger.info("shutting down")
    }
}
