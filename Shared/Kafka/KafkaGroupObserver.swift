import CRdKafka
import Logging

/// Reads how far another process's consumer group is behind, without joining it: a consumer
/// client configured with the group's id that never subscribes, so the group's members and their
/// assignments are left alone. For tools that watch running services (the load replay's progress).
public final class KafkaGroupObserver: Sendable {
    /// The observed group.
    public let groupID: String
    private let handle: ClientHandle
    private let context: ClientContext
    private let worker = BlockingWorker(label: "ressus.kafka.group-observer")

    public init(config: KafkaConfig, groupID: String, logger: Logger = Logger(label: "ressus.kafka.group-observer")) throws {
        self.groupID = groupID
        context = ClientContext(logger: logger)
        handle = try makeClient(
            type: RD_KAFKA_CONSUMER, settings: config.settings(
                defaults: [:], required: ["group.id": groupID, "enable.auto.commit": "false", "enable.auto.offset.store": "false"]),
            context: context)
    }

    deinit { rd_kafka_destroy(handle.pointer) }

    /// The group's lag on `partitions` (committed offsets against the watermarks; see
    /// ``PartitionLag``), asked of the broker on a queue of this observer's own.
    public func lag(of partitions: [TopicPartition], timeout: Duration = .seconds(5)) async throws -> [TopicPartition: PartitionLag] {
        guard !partitions.isEmpty else { return [:] }
        let handle = self.handle
        return try await worker.run {
            try queryGroupLag(handle, partitions, milliseconds: Int32(clamping: timeout.milliseconds)) { false }
        }
    }
}
