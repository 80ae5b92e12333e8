import Foundation
import IntakeCore
import Logging
import Models
import Runtime
import ServiceHTTP

// ressus-intake: ABIs from the upstream topic (files come through the CLI), and the scheduled
// "notify ABI" work that issues notifications. Topics are created (idempotently) before starting.
if let configuration = try? ServiceConfiguration(for: .intake) {
    await IntakeTopics.ensure(brokers: configuration.kafkaBrokers, logger: Logger(label: "ressus.intake"))
}
exit(await ServiceHost.run(
    .intake, migrations: IntakeMigrations.all, topics: [Topics.upstreamAtendimentos.name],
    handler: UpstreamAtendimentosHandler(), scheduled: [NotifyABIHandler()]))
