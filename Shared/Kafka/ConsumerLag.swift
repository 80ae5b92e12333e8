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
    /// (`rd_kafka_query_watermark_offsets`) and the committed offsets (`rd_kafka_committed`).
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
    /// `partition` (`rd_kafka_query_watermark_offsets`, asked of the broker).
    public func watermarks(of partition: TopicPartition, timeout: Duration = .seconds(5)) async throws -> (low: Int64, high: Int64) {
        let handle = self.handle
        return try await queryWorker.run { [self] in
            let measured: (low: Int64, high: Int64)? = try gate.whileOpen {
                try queryWatermarks(handle, partition, milliseconds: Int32(clamping: timeout.milliseconds))
            }
            guard let measured, !isClosed else { throw KafkaError.closed("consumer") }
            return measured
        }
    }
}

/// The lag of the group of the consumer client `handle` on `partitions`: its committed offsets
/// (`rd_kafka_committed`, one request) against each partition's watermarks
/// (`rd_kafka_query_watermark_offsets`). Blocks; stops with `KafkaError.closed` once `isClosed`.
func queryGroupLag(_ handle: ClientHandle, _ partitions: [TopicPartition], milliseconds: Int32,
                   isClosed: () -> Bool) throws -> [TopicPartition: PartitionLag] {
    if isClosed() { throw KafkaError.closed("consumer") }
    let list = makePartitionList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    let error = rd_kafka_committed(handle.pointer, list, milliseconds)
    if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "committed offsets") }
    if let partitionError = partitionErrors(in: list, operation: "committed offsets") { throw partitionError }

    var result: [TopicPartition: PartitionLag] = [:]
    for element in elements(of: list) {
        if isClosed() { throw KafkaError.closed("consumer") }
        let topicPartition = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
        let (low, high) = try queryWatermarks(handle, topicPartition, milliseconds: milliseconds)
        let committed = element.offset >= 0 ? element.offset : nil
        result[topicPartition] = PartitionLag(
            topicPartition: topicPartition, highWatermark: high, committed: committed,
            lag: max(0, high - (committed ?? low)))
    }
    return result
}

/// The first offset still held and the log end of `partition`, asked of its leader
/// (`rd_kafka_query_watermark_offsets`). Blocks.
func queryWatermarks(_ handle: ClientHandle, _ partition: TopicPartition, milliseconds: Int32) throws -> (low: Int64, high: Int64) {
    var low: Int64 = 0, high: Int64 = 0
    let error = rd_kafka_query_watermark_offsets(handle.pointer, partition.topic, partition.partition, &low, &high, milliseconds)
    if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: error, operation: "watermark offsets of \(partition)") }
    return (low, high)
}
