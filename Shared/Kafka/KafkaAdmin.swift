import CRdKafka
import Logging

/// A topic to create.
public struct TopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int

    public init(name: String, partitions: Int, replicationFactor: Int = 1) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}

/// Topic administration: create (idempotently), list, delete. Calls block a dedicated queue, not
/// Swift's cooperative pool.
public final class KafkaAdmin: Sendable {
    private let handle: ClientHandle
    private let context: ClientContext
    private let worker = BlockingWorker(label: "ressus.kafka.admin")

    public init(config: KafkaConfig, logger: Logger = Logger(label: "ressus.kafka.admin")) throws {
        context = ClientContext(logger: logger)
        handle = try makeClient(type: RD_KAFKA_PRODUCER, settings: config.settings(defaults: [:], required: [:]),
                                context: context)
    }

    deinit { rd_kafka_destroy(handle.pointer) }

    /// Creates the topics that do not exist yet; an existing topic counts as success (its
    /// partition count is not checked or changed).
    public func createTopics(_ topics: [TopicSpec], timeout: Duration = .seconds(30)) async throws {
        guard !topics.isEmpty else { return }
        try await worker.run { [self] in
            var errorText = [CChar](repeating: 0, count: 512)
            var newTopics: [OpaquePointer?] = []
            defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
            for topic in topics {
                guard let newTopic = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions),
                                                           Int32(topic.replicationFactor), &errorText, errorText.count) else {
                    throw KafkaError(wrapper: "INVALID_TOPIC", message: "topic \(topic.name): \(text(of: errorText))")
                }
                newTopics.append(newTopic)
            }
            let results = try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout) { options, queue in
                rd_kafka_CreateTopics(handle.pointer, &newTopics, newTopics.count, options, queue)
            } read: { event in
                var count = 0
                let list = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                return topicResults(list, count)
            }
            try throwFailures(results, accepting: RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, operation: "create topics")
        }
    }

    /// Deletes topics; a topic that does not exist counts as success.
    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws {
        guard !names.isEmpty else { return }
        try await worker.run { [self] in
            var deletions: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { for deletion in deletions { rd_kafka_DeleteTopic_destroy(deletion) } }
            let results = try request(RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout) { options, queue in
                rd_kafka_DeleteTopics(handle.pointer, &deletions, deletions.count, options, queue)
            } read: { event in
                var count = 0
                let list = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
                return topicResults(list, count)
            }
            try throwFailures(results, accepting: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, operation: "delete topics")
        }
    }

    /// Every topic the cluster knows (internal ones included), with its partition count.
    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [String: Int] {
        try await worker.run { [self] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let error = rd_kafka_metadata(handle.pointer, 1, nil, &metadata, Int32(clamping: timeout.milliseconds))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(code: error, operation: "metadata")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            var topics: [String: Int] = [:]
            for topic in UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
            where topic.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                topics[String(cString: topic.topic)] = Int(topic.partition_cnt)
            }
            return topics
        }
    }

    /// The cluster id the broker reports (`rd_kafka_clusterid` after a fresh metadata request),
    /// nil when the broker does not report one. A broker that lost its data comes back as a new
    /// cluster when its id is generated per start (as Kafka does for a wiped cluster).
    /// Throws when the broker is unreachable within `timeout`.
    public func clusterID(timeout: Duration = .seconds(5)) async throws -> String? {
        try await worker.run { [self] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            // Brokers only (no topics): the response carries the cluster id, which refreshes
            // librdkafka's cached value.
            let error = rd_kafka_metadata(handle.pointer, 0, nil, &metadata, Int32(clamping: timeout.milliseconds))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(code: error, operation: "metadata")
            }
            rd_kafka_metadata_destroy(metadata)
            guard let id = rd_kafka_clusterid(handle.pointer, 0) else { return nil }
            defer { rd_kafka_mem_free(handle.pointer, id) }
            return String(cString: id)
        }
    }

    private struct TopicResult {
        var name: String
        var error: rd_kafka_resp_err_t
        var message: String
    }

    /// Runs one admin request and waits for its result event (``adminRequest(_:_:milliseconds:send:read:)``).
    private func request<T>(_ operation: rd_kafka_admin_op_t, timeout: Duration,
                            send: (OpaquePointer?, OpaquePointer?) -> Void,
                            read: (OpaquePointer) -> T) throws -> T {
        try adminRequest(handle, operation, milliseconds: Int32(clamping: timeout.milliseconds), send: send, read: read)
    }

    /// Throws one KafkaError naming every topic whose result is an error other than `accepted`.
    private func throwFailures(_ results: [TopicResult], accepting accepted: rd_kafka_resp_err_t, operation: String) throws {
        let failed = results.filter { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR && $0.error != accepted }
        guard let first = failed.first else { return }
        let detail = failed.map { "\($0.name): \($0.message)" }.joined(separator: "; ")
        throw KafkaError(code: first.error, message: "\(operation): \(detail)")
    }

    private func topicResults(_ list: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int) -> [TopicResult] {
        guard let list else { return [] }
        return UnsafeBufferPointer(start: list, count: count).compactMap { result in
            guard let result else { return nil }
            return TopicResult(name: String(cString: rd_kafka_topic_result_name(result)),
                               error: rd_kafka_topic_result_error(result),
                               message: rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? "")
        }
    }
}
