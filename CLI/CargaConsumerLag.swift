import Kafka
import LoadReplay
import Runtime

/// The consuming services' lag read from the broker: each service's consumer group (its name, the
/// services' default `*_CONSUMER_GROUP`) against the topics it subscribes to, without joining the
/// groups (``KafkaGroupObserver``). The replay's progress reads it every second instead of counting
/// unconsumed events with anti-joins over every outbox and inbox, which took about 150 s of the
/// database's time in a 100,000-atendimento run (BENCHMARKS.md); those exact counts now only
/// confirm a stage's end.
final class ReplayConsumerLag {
    private let admin: KafkaAdmin
    private let observers: [(schema: String, observer: KafkaGroupObserver, topics: [String])]
    /// Partitions per topic, listed once each topic exists.
    private var partitions: [String: Int] = [:]

    init(kafka: KafkaConfig) throws {
        admin = try KafkaAdmin(config: kafka)
        observers = try ServiceDescriptor.all.compactMap { service in
            guard let topics = ReplayProbe.topicsByConsumer[service.schema] else { return nil }
            return (service.schema, try KafkaGroupObserver(config: kafka, groupID: service.name), topics)
        }
    }

    /// Messages each consuming service (by schema) has not committed yet, over its topics that exist.
    func backlog() async throws -> [String: Int] {
        let wanted = Set(observers.flatMap(\.topics))
        if !wanted.isSubset(of: partitions.keys) {
            partitions = try await admin.listTopics().filter { wanted.contains($0.key) }
        }
        var backlog: [String: Int] = [:]
        for (schema, observer, topics) in observers {
            let assigned = topics.flatMap { topic in
                (0..<(partitions[topic] ?? 0)).map { TopicPartition(topic: topic, partition: Int32($0)) }
            }
            let lag = try await observer.lag(of: assigned)
            backlog[schema] = Int(lag.values.reduce(0) { $0 + $1.lag })
        }
        return backlog
    }
}
