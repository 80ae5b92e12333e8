import Foundation
import Kafka
import Models
import ReportPublisherCore
import Runtime
import ServiceHTTP

// ressus-report-publisher: builds its read model from the operadoras, notifications, deadlines and
// debts topics, and serves the operadoras' portal (/portal) next to /health and /metrics.
let policy = PortalPolicy.fromEnvironment()
exit(await ServiceHost.run(
    .reportPublisher, migrations: ReportPublisherMigrations.all, topics: ReadModelHandler.topics,
    handler: ReadModelHandler(),
    components: { context in
        // The portal's request topic (ciência) exists before the outbox relay publishes to it.
        try await KafkaAdmin(config: context.kafka, logger: context.logger)
            .createTopics([TopicSpec(name: PortalTopics.requests.name, partitions: PortalTopics.requests.partitions)])
        return []
    },
    routes: { router, context in
        Portal.install(on: router, environment: PortalEnvironment(
            database: context.database, businessClock: context.clock, policy: policy, logger: context.logger))
    }))
