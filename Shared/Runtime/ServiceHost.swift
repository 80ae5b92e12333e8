import Foundation
import Kafka
import Logging
import Postgres
import ServiceLifecycle

// The service host itself (`ServiceHost.run`) lives in the ServiceHTTP module, which adds the HTTP
// endpoint (health checks, Prometheus metrics) without pulling Hummingbird into this module.

/// What a running service has at hand: its identity, configuration, database pool (search_path set
/// to its own schema), Kafka configuration and business clock.
public struct ServiceContext: Sendable {
    public let descriptor: ServiceDescriptor
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let database: PostgresPool
    public let kafka: KafkaConfig
    public let clock: any BusinessClock
    /// Consumers registered here have their lag exported (`ressus_consumer_lag`) by the host.
    public let consumers: ConsumerRegistry

    public init(
        descriptor: ServiceDescriptor, configuration: ServiceConfiguration, logger: Logger,
        database: PostgresPool, kafka: KafkaConfig, clock: any BusinessClock,
        consumers: ConsumerRegistry = ConsumerRegistry()
    ) {
        self.descriptor = descriptor
        self.configuration = configuration
        self.logger = logger
        self.database = database
        self.kafka = kafka
        self.clock = clock
        self.consumers = consumers
    }
}

/// The Kafka consumers of a service, for monitoring: components register the consumers they
/// create; the host reports their lag periodically. Closed consumers are skipped.
/// `@unchecked Sendable`: the list is only touched under `lock`.
public final class ConsumerRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var consumers: [KafkaConsumer] = []

    public init() {}

    public func register(_ consumer: KafkaConsumer) {
        lock.withLock { consumers.append(consumer) }
    }

    public var all: [KafkaConsumer] { lock.withLock { consumers } }
}
