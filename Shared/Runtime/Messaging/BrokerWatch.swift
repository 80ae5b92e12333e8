import Foundation
import Kafka
import Logging
import Models

/// Notices that the broker lost its data: its cluster id changed (a broker with memory storage,
/// or a wiped Kafka cluster, comes back as a new cluster, with no topics, records or committed
/// offsets). Each component that talks to the broker (outbox relay, inbox consumer, clock sync)
/// keeps one and asks it between rounds; the broker is asked at most once per `interval`.
///
/// What each component then does is its own: the relay recreates the topics and republishes its
/// whole outbox, the inbox consumer drops its consumer (nothing of the old session may be
/// committed to the new cluster) and reads the new topics from the beginning (its inbox absorbs
/// what it already applied), the clock sync re-publishes the current instant.
///
/// The previous id lives in memory, except for the outbox relay, which keeps the id it last
/// published to in its schema (`outbox_broker`): a service restarted after the loss still
/// republishes its outbox.
public struct BrokerWatch: Sendable {
    /// How often the broker is asked, by default.
    public static let defaultInterval: Duration = .seconds(1)

    private let admin: KafkaAdmin
    private let interval: Duration
    private let logger: Logger
    private var known: String?
    private var nextCheck = ContinuousClock.now

    public init(kafka: KafkaConfig, interval: Duration = BrokerWatch.defaultInterval, logger: Logger) throws {
        admin = try KafkaAdmin(config: kafka, logger: logger)
        self.interval = interval
        self.logger = logger
    }

    /// Asks the broker for its cluster id (unless asked less than `interval` ago) and returns true
    /// when it differs from the last answer: the broker lost its data. Unreachable broker: false.
    public mutating func brokerReplaced() async -> Bool {
        let previous = known
        guard let current = await currentClusterID(), let previous, previous != current else { return false }
        logger.warning("the broker lost its data (new cluster id); recovering", metadata: [
            "previous_cluster": "\(previous)", "cluster": "\(current)"])
        return true
    }

    /// The broker's cluster id: asked again when the last answer is older than `interval`; the
    /// last answer while the broker is unreachable (nil before any).
    public mutating func currentClusterID() async -> String? {
        let now = ContinuousClock.now
        guard now >= nextCheck else { return known }
        nextCheck = now + interval
        if let current = try? await admin.clusterID(timeout: .seconds(1)) { known = current }
        return known
    }

    /// Creates the topics between the services (`Topics.all`, with their partition counts) and
    /// `extra`, those that exist being left alone.
    public func createTopics(_ extra: [TopicSpec] = []) async throws {
        try await admin.createTopics(Self.sharedTopics + extra)
    }

    /// The topics between the services with their configured partition counts.
    public static var sharedTopics: [TopicSpec] {
        Topics.all.map { TopicSpec(name: $0.name, partitions: $0.partitions) }
    }
}
