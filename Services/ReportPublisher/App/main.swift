import Foundation
import Models
import ReportPublisherCore
import Runtime
import ServiceHTTP

// ressus-report-publisher: builds its read model from the operadoras, notifications, deadlines and
// debts topics, and serves the operadoras' portal (/portal) next to /health and /metrics.
exit(await ServiceHost.run(
    .reportPublisher, migrations: ReportPublisherMigrations.all, topics: ReadModelHandler.topics,
    handler: ReadModelHandler(idempotency: .inbox),
    scheduled: [RoundCompaction.handler],
    routes: { router, context in
        Portal.install(on: router, environment: PortalEnvironment(
            database: context.database, businessClock: context.clock, policy: PortalPolicy.from(context.configuration),
            logger: context.logger))
    }))
