import CRdKafka

/// How far a consumer group is behind the end of one partition.
public struct PartitionLag: Sendable, Hashable {
    public let topicPartition: TopicPartition
    /// The offset the next produced message will get (the log end).
    public let highWatermark: Int64
    /// The group's committed offset (the next message it will consume); nil when it committed none.
    public let committed: Int64?
    /// Messages not yet committed: high watermark − committed offset, or − the log start when the
    /// group committed nothing (new groups start at the earliest offset).
    public let lag: Int64
}

extension KafkaConsumer {
    /// The lag of this consumer's group on every partition currently assigned to it.
    public func lag(timeout: Duration = .seconds(5)) async throws -> [TopicPartition: PartitionLag] {
        try await lag(of: Array(assignment), timeout: timeout)
    }

    /// The lag of this consumer's group on `partitions`, asking the broker for the watermarks
    /// (one ListOffsets request for all of them) and the committed offsets (`rd_kafka_committed`).
    /// Runs on a queue of its own, beside `poll` (never delaying consumption: librdkafka calls are
    /// thread-safe, and the handle stays open until the query ends); stops early if the consumer
    /// is closed meanwhile.
    public func lag(of partitions: [TopicPartition], timeout: Duration = .seconds(5)) async throws -> [TopicPartition: PartitionLag] {
        guard !partitions.isEmpty else { return [:] }
        let handle = self.handle
        return try await queryWorker.run { [self] in
            let measured: [TopicPartition: PartitionLag]? = try gate.whileOpen {
                try queryGroupLag(handle, partitions, milliseconds: Int32(clamping: timeout.milliseconds)) { isClosed }
            }
            guard let measured, !isClosed else { throw KafkaError.closed("consumer") }
            return measured
        }
    }
}

extension KafkaConsumer {
    /// The first offset still held and the offset the next produced message will get, of
    /// `partition` (two ListOffsets requests, asked of the broker).
    public func watermarks(of partition: TopicPartition, timeout: Duration = .seconds(5)) async throws -> (low: Int64, high: Int64) {
        let handle = self.handle
        return try await queryWorker.run { [self] in
            let measured: (low: Int64, high: Int64)? = try gate.whileOpen {
                let milliseconds = Int32(clamping: timeout.milliseconds)
                return (try listOffsets(handle, [partition], spec: .earliest, milliseconds: milliseconds)[partition]!,
                        try listOffsets(handle, [partition], spec: .latest, milliseconds: milliseconds)[partition]!)
            }
            guard let measured, !isClosed else { throw KafkaError.closed("consumer") }
            return measured
        }
    }
}

/// The lag of the group of the consumer client `handle` on `partitions`: its committed offsets
/// (`rd_kafka_committed`, one request) against the partitions' high watermarks (one ListOffsets
/// request), and the low watermarks of the partitions it committed nothing on (one more request,
/// only then). Blocks; stops with `KafkaError.closed` once `isClosed`.
func queryGroupLag(_ handle: ClientHandle, _ partitions: [TopicPartition], milliseconds: Int32,
                   isClosed: () -> Bool) throws -> [TopicPartition: PartitionLag] {
    if isClosed() { throw KafkaError.closed("consumer") }
    var seen = Set<TopicPartition>()
    let partitions = partitions.filter { seen.insert($0).inserted }  // ListOffsets refuses a repeated partition
    let list = makePartitionList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    let error = rd_kafka_committed(handle.pointer, list, milliseconds)
    if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "committed offsets") }
    if let partitionError = partitionErrors(in: list, operation: "committed offsets") { throw partitionError }
    var committed: [TopicPartition: Int64] = [:]
    for element in elements(of: list) where element.offset >= 0 {
        committed[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
    }

    if isClosed() { throw KafkaError.closed("consumer") }
    let highs = try listOffsets(handle, partitions, spec: .latest, milliseconds: milliseconds)
    let uncommitted = partitions.filter { committed[$0] == nil }
    if isClosed() { throw KafkaError.closed("consumer") }
    let lows = try listOffsets(handle, uncommitted, spec: .earliest, milliseconds: milliseconds)

    var result: [TopicPartition: PartitionLag] = [:]
    for partition in partitions {
        let high = highs[partition] ?? 0
        let start = committed[partition] ?? lows[partition] ?? 0
        result[partition] = PartitionLag(topicPartition: partition, highWatermark: high,
                                         committed: committed[partition], lag: max(0, high - start))
    }
    return result
}
