import CRdKafka

/// Builds an `rd_kafka_topic_partition_list_t` (caller destroys it).
func makePartitionList(_ offsets: [(TopicPartition, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
    for (topicPartition, offset) in offsets {
        let element = rd_kafka_topic_partition_list_add(list, topicPartition.topic, topicPartition.partition)!
        element.pointee.offset = offset
    }
    return list
}

/// The elements of a librdkafka partition list.
func elements(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [rd_kafka_topic_partition_t] {
    guard let list, list.pointee.cnt > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)))
}

func topicPartitions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
    elements(of: list).map { TopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
}

/// The next offset to consume after `messages`, per partition (highest offset + 1).
func nextOffsets(after messages: [KafkaMessage]) -> [(TopicPartition, Int64)] {
    var next: [TopicPartition: Int64] = [:]
    for message in messages {
        next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1)
    }
    return next.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
}

/// A KafkaError listing the partitions of `list` that carry an error, or nil when none does.
func partitionErrors(in list: UnsafePointer<rd_kafka_topic_partition_list_t>, operation: String) -> KafkaError? {
    let failed = elements(of: list).filter { $0.err != RD_KAFKA_RESP_ERR_NO_ERROR }
    guard let first = failed.first else { return nil }
    let detail = failed.map {
        "\(String(cString: $0.topic))[\($0.partition)]: \(String(cString: rd_kafka_err2name($0.err)))"
    }.joined(separator: ", ")
    return KafkaError(code: first.err, message: "\(operation) failed for \(detail)")
}
