import Foundation
import Kafka
import Logging
import Models

/// The topics between the services (``Topics``), created idempotently when the intake starts.
public enum IntakeTopics {
    /// Creates every topic of ``Topics/all`` if missing, retrying while the broker starts; a
    /// failure is logged and the service host's own broker check then decides.
    public static func ensure(brokers: String, logger: Logger, attempts: Int = 10) async {
        let specs = Topics.all.map { TopicSpec(name: $0.name, partitions: $0.partitions) }
        for attempt in 1...max(1, attempts) {
            do {
                let admin = try KafkaAdmin(config: KafkaConfig(bootstrapServers: brokers, clientID: "ressus-intake-admin"), logger: logger)
                try await admin.createTopics(specs)
                logger.info("topics ready", metadata: ["topics": "\(specs.map(\.name))"])
                return
            } catch {
                logger.warning("creating topics failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}
