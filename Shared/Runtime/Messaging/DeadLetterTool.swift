import Foundation
import Kafka
import Logging
import Postgres

extension DeadLetters {
    /// For command-line tools: lists the dead-letter topic of `topic` on `brokers`; with a database
    /// URL and the consumer's schema, marks the entries that were redriven.
    public static func list(topic: String, brokers: String, databaseURL: String?, schema: String?,
                            logger: Logger = DeadLetters.toolLogger) async throws -> [DeadLetterEntry] {
        let kafka = KafkaConfig(bootstrapServers: brokers, clientID: "ressus-dlt")
        guard let databaseURL, let schema else { return try await list(topic: topic, kafka: kafka, logger: logger) }
        let pool = try pool(databaseURL, schema: schema, logger: logger)
        do {
            let entries = try await list(topic: topic, kafka: kafka, redrives: pool, logger: logger)
            await pool.close()
            return entries
        } catch {
            await pool.close()
            throw error
        }
    }

    /// For command-line tools: `redrive` with a broker list, a database URL and the consumer's schema.
    @discardableResult
    public static func redrive(topic: String, consumer: String, eventIDs: Set<UUID>?, brokers: String,
                               databaseURL: String, schema: String,
                               logger: Logger = DeadLetters.toolLogger) async throws -> [DeadLetterEntry] {
        let kafka = KafkaConfig(bootstrapServers: brokers, clientID: "ressus-dlt")
        let pool = try pool(databaseURL, schema: schema, logger: logger)
        do {
            let entries = try await redrive(topic: topic, consumer: consumer, eventIDs: eventIDs,
                                            database: pool, kafka: kafka, logger: logger)
            await pool.close()
            return entries
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Errors only: a tool's own output is for the operator.
    public static var toolLogger: Logger {
        var logger = Logger(label: "ressus.dlt")
        logger.logLevel = .error
        return logger
    }

    /// A pool on `schema`, with its service's settings when it is a service's own schema.
    private static func pool(_ url: String, schema: String, logger: Logger) throws -> PostgresPool {
        let configuration = try ServiceDescriptor.named(schema).map {
            try PostgresConfiguration(connectionString: url, applicationName: "ressus-dlt", service: $0, schema: schema)
        } ?? PostgresConfiguration(connectionString: url, applicationName: "ressus-dlt", schema: schema)
        return PostgresPool(configuration: configuration, options: .init(size: 1), logger: logger)
    }
}
