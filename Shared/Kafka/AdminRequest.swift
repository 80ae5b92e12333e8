import CRdKafka

/// Runs one admin request on the client `handle` (any client type: librdkafka's admin API works on
/// consumers and producers too) and waits for its result event on a private queue. Blocks.
func adminRequest<T>(_ handle: ClientHandle, _ operation: rd_kafka_admin_op_t, milliseconds: Int32,
                     send: (OpaquePointer?, OpaquePointer?) -> Void,
                     read: (OpaquePointer) throws -> T) throws -> T {
    let queue = rd_kafka_queue_new(handle.pointer)
    defer { rd_kafka_queue_destroy(queue) }
    let options = rd_kafka_AdminOptions_new(handle.pointer, operation)
    defer { rd_kafka_AdminOptions_destroy(options) }
    var errorText = [CChar](repeating: 0, count: 512)
    // The operation timeout is used only by the operations that take one (CreateTopics, DeleteTopics,
    // CreatePartitions, DeleteRecords: rdkafka.h); ListOffsets uses the request timeout.
    _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errorText, errorText.count)
    _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errorText, errorText.count)
    send(options, queue)
    guard let event = rd_kafka_queue_poll(queue, milliseconds + 1000) else {
        throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, operation: "admin request")
    }
    defer { rd_kafka_event_destroy(event) }
    let error = rd_kafka_event_error(event)
    if error != RD_KAFKA_RESP_ERR_NO_ERROR {
        throw KafkaError(code: error, message: "admin request: \(String(cString: rd_kafka_event_error_string(event)))")
    }
    return try read(event)
}

/// Which offset of each partition ``listOffsets(_:_:spec:milliseconds:)`` asks for.
enum OffsetSpec {
    /// The first offset still held (the low watermark).
    case earliest
    /// The offset the next produced message will get (the high watermark).
    case latest

    var value: Int64 {
        switch self {
        case .earliest: Int64(RD_KAFKA_OFFSET_SPEC_EARLIEST.rawValue)
        case .latest: Int64(RD_KAFKA_OFFSET_SPEC_LATEST.rawValue)
        }
    }
}

/// The `spec` offset of every partition in `partitions`, in one admin ListOffsets request
/// (`rd_kafka_ListOffsets`: one request per partition leader, against two per partition for
/// `rd_kafka_query_watermark_offsets`). Every partition asked for is in the answer: a partition
/// that failed or went unanswered throws, naming it. Blocks.
func listOffsets(_ handle: ClientHandle, _ partitions: [TopicPartition], spec: OffsetSpec,
                 milliseconds: Int32) throws -> [TopicPartition: Int64] {
    guard !partitions.isEmpty else { return [:] }
    let list = makePartitionList(partitions.map { ($0, spec.value) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    // Read inside `read`: the result's partitions (and their topic names) belong to the event.
    let found = try adminRequest(handle, RD_KAFKA_ADMIN_OP_LISTOFFSETS, milliseconds: milliseconds) { options, queue in
        rd_kafka_ListOffsets(handle.pointer, list, options, queue)
    } read: { event -> [(TopicPartition, Int64, rd_kafka_resp_err_t)] in
        var count = 0
        guard let infos = rd_kafka_ListOffsets_result_infos(rd_kafka_event_ListOffsets_result(event), &count) else { return [] }
        return UnsafeBufferPointer(start: infos, count: count).compactMap { info in
            guard let element = info.flatMap({ rd_kafka_ListOffsetsResultInfo_topic_partition($0)?.pointee }) else { return nil }
            return (TopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset, element.err)
        }
    }
    let failed = found.filter { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }
    if let first = failed.first {
        let detail = failed.map { "\($0.0.topic)[\($0.0.partition)]: \(String(cString: rd_kafka_err2name($0.2)))" }
        throw KafkaError(code: first.2, message: "list offsets failed for \(detail.joined(separator: ", "))")
    }
    let offsets = Dictionary(found.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
    let missing = partitions.filter { offsets[$0] == nil }
    guard missing.isEmpty else {
        throw KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
                         message: "list offsets: no answer for \(missing.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ", "))")
    }
    return offsets
}
