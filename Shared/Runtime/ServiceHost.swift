import Foundation
import Kafka
import Logging
import Postgres
import ServiceLifecycle

/// What a running service has at hand: its identity, configuration, database pool (search_path set
/// to its own schema), Kafka configuration and business clock.
public struct ServiceContext: Sendable {
    public let descriptor: ServiceDescriptor
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let database: PostgresPool
    public let kafka: KafkaConfig
    public let clock: any BusinessClock
}

/// Runs one service executable: reads the configuration, connects to PostgreSQL (applying the
/// service's migrations) and Kafka, then runs the service's components in a `ServiceGroup` until
/// SIGTERM or SIGINT, and shuts down within the configured bound.
///
/// Logs `service ready` once connected and `service stopped` after a clean shutdown; the local run
/// scripts and tests wait for these lines.
public enum ServiceHost {
    /// Builds the long-running components of a service from its context.
    public typealias Components = @Sendable (ServiceContext) async throws -> [any Service]

    /// Runs the service and returns the process exit status (0 after a clean shutdown).
    public static func run(
        _ descriptor: ServiceDescriptor,
        migrations: [PostgresMigration] = [],
        components: Components = { _ in [] }
    ) async -> Int32 {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(for: descriptor)
        } catch {
            FileHandle.standardError.write(Data("ressus-\(descriptor.name): \(error)\n".utf8))
            return 2
        }
        LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        var logger = Logger(label: "ressus.\(descriptor.name)")
        logger[metadataKey: "service"] = "\(descriptor.name)"

        let database: PostgresPool
        do {
            let postgres = try PostgresConfiguration(
                connectionString: configuration.databaseURL,
                applicationName: "ressus-\(descriptor.name)", schema: descriptor.schema)
            database = PostgresPool(
                configuration: postgres, options: .init(size: configuration.databasePoolSize), logger: logger)
        } catch {
            logger.critical("invalid database configuration", metadata: ["error": "\(error)"])
            return 2
        }

        do {
            let applied = try await PostgresMigrator(schema: descriptor.schema, migrations: migrations, logger: logger)
                .migrate(using: database)
            logger.info("database connected", metadata: ["schema": "\(descriptor.schema)", "migrations_applied": "\(applied)"])

            let kafka = KafkaConfig(bootstrapServers: configuration.kafkaBrokers, clientID: "ressus-\(descriptor.name)")
            let topics = try await KafkaAdmin(config: kafka, logger: logger).listTopics()
            logger.info("broker connected", metadata: ["brokers": "\(configuration.kafkaBrokers)", "topics": "\(topics.count)"])

            let context = ServiceContext(
                descriptor: descriptor, configuration: configuration, logger: logger,
                database: database, kafka: kafka, clock: WallClock())
            let services = try await components(context) + [ReadinessMarker(logger: logger)]
            var groupConfiguration = ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
            let group = ServiceGroup(configuration: groupConfiguration)
            try await group.run()
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            await database.close()
            return 1
        }
        await database.close()
        logger.info("service stopped")
        return 0
    }
}

/// Logs `service ready` when the group starts and waits for the graceful shutdown.
struct ReadinessMarker: Service {
    let logger: Logger

    func run() async throws {
        logger.info("service ready")
        try? await gracefulShutdown()
        logger.info("shutting down")
    }
}
