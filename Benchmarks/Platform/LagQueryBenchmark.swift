import CRdKafka
import Foundation
import Kafka
import Logging

/// What one consumer-lag query costs: `KafkaGroupObserver.lag(of:)` (committed offsets, then one
/// ListOffsets request for every partition's end) against the per-partition way it replaced
/// (`rd_kafka_query_watermark_offsets`, two requests per partition), over the same partitions and
/// group, alternating. Services query their lag every 5 s; the load replay every second for four
/// groups and 66 partitions.
enum LagQueryBenchmark {
    static let queries = 60

    static func run(config: KafkaConfig, brokers: String, topics: [String], partitionsPerTopic: Int, group: String) async throws {
        var logger = Logger(label: "lag-benchmark")
        logger.logLevel = .warning
        let partitions = topics.flatMap { topic in (0..<partitionsPerTopic).map { TopicPartition(topic: topic, partition: Int32($0)) } }
        let observer = try KafkaGroupObserver(config: config, groupID: group, logger: logger)
        let raw = try KafkaBenchmark.RawProbe.makeClient(
            RD_KAFKA_CONSUMER, ["bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": "false"]) { _ in }
        defer { rd_kafka_destroy(raw) }

        var wrapper: [Double] = [], perPartition: [Double] = []
        var totals = (wrapper: Int64(0), perPartition: Int64(0))
        for index in 0..<queries {
            for wrapperFirst in index % 2 == 0 ? [true, false] : [false, true] {
                let start = ContinuousClock.now
                if wrapperFirst {
                    totals.wrapper = try await observer.lag(of: partitions).values.reduce(0) { $0 + $1.highWatermark }
                    wrapper.append((ContinuousClock.now - start).seconds * 1_000)
                } else {
                    totals.perPartition = try perPartitionHighWatermarks(raw, partitions)
                    perPartition.append((ContinuousClock.now - start).seconds * 1_000)
                }
            }
        }
        guard totals.wrapper == totals.perPartition else {
            throw KafkaBenchmark.Failure("lag query: high watermarks differ (\(totals.wrapper) against \(totals.perPartition))")
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print(String(format: "  consumer lag of one group over %d partitions, %d queries each, alternating: "
                     + "one ListOffsets request %.1f ms, per partition (query_watermark_offsets) %.1f ms (medians); "
                     + "per-partition / wrapper %.1f×",
                     partitions.count, queries, median(wrapper), median(perPartition), median(perPartition) / median(wrapper)))
    }

    /// The former lag query's broker work: committed offsets, then both watermarks of each
    /// partition, one partition at a time. Returns the sum of the high watermarks.
    private static func perPartitionHighWatermarks(_ handle: OpaquePointer, _ partitions: [TopicPartition]) throws -> Int64 {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { _ = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        guard rd_kafka_committed(handle, list, 5_000) == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaBenchmark.Failure("raw: committed offsets") }
        var total: Int64 = 0
        for partition in partitions {
            var low: Int64 = 0, high: Int64 = 0
            guard rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, 5_000)
                == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaBenchmark.Failure("raw: watermarks of \(partition)") }
            total += high
        }
        return total
    }
}
