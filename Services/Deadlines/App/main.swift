import DeadlinesCore
import Foundation
import Models
import Runtime
import ServiceHTTP

// ressus-deadlines: consumes the intake's notifications, runs the deadlines (ciência, impugnação,
// recurso) and publishes the process steps and chargeable atendimentos on `Topics.deadlines`.

// The topics the service reads and writes must exist before it subscribes (idempotent).
if let configuration = try? ServiceConfiguration(for: .deadlines) {
    do {
        try await DeadlinesCore.createTopics(brokers: configuration.kafkaBrokers)
    } catch {
        // ServiceHost reports the broker problem when it checks the broker.
        FileHandle.standardError.write(Data("ressus-deadlines: could not create topics: \(error)\n".utf8))
    }
}

exit(await ServiceHost.run(
    .deadlines, migrations: DeadlinesMigrations.all, topics: [Topics.notifications.name],
    handler: NotificationIntakeHandler(), scheduled: DeadlinesCore.scheduledHandlers()))
