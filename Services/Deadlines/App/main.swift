import DeadlinesCore
import Foundation
import Models
import Runtime
import ServiceHTTP

// ressus-deadlines: consumes the intake's notifications, runs the deadlines (ciência, impugnação,
// recurso) and publishes the process steps and chargeable atendimentos on `Topics.deadlines`.
exit(await ServiceHost.run(
    .deadlines, migrations: DeadlinesMigrations.all, topics: NotificationIntakeHandler.topics,
    handler: NotificationIntakeHandler(), scheduled: DeadlinesCore.scheduledHandlers()))
