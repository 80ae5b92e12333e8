import Foundation
import IntakeCore
import Models
import Runtime
import ServiceHTTP

// ressus-intake: ABIs from the upstream topic (files come through the CLI), and the scheduled
// "notify ABI" work that issues notifications.
exit(await ServiceHost.run(
    .intake, migrations: IntakeMigrations.all, topics: [Topics.upstreamAtendimentos.name],
    handler: UpstreamAtendimentosHandler(), scheduled: [NotifyABIHandler()]))
