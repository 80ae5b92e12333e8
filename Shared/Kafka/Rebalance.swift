import CRdKafka
import Logging

/// How the group divides partitions among its members (`partition.assignment.strategy`).
public enum AssignmentStrategy: String, Sendable {
    /// Incremental: only moved partitions are revoked (`cooperative-sticky`).
    case cooperativeSticky = "cooperative-sticky"
    /// Eager: every rebalance revokes all partitions first (`range,roundrobin`).
    case eager = "range,roundrobin"
}

/// A change of this consumer's partitions, reported after it has been applied.
public enum RebalanceEvent: Sendable, Equatable {
    /// Newly assigned partitions.
    case assigned([TopicPartition])
    /// Partitions taken away: stored offsets were committed (unless `lost`), then they were
    /// unassigned; no message of theirs fetched before this is handed out afterwards.
    case revoked([TopicPartition], lost: Bool)
}

/// Applies rebalances inside librdkafka's rebalance callback (which runs on the consumer's poll
/// thread, within `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`) and tracks the assignment.
final class RebalanceCoordinator: Sendable {
    struct State {
        var assignment: Set<TopicPartition> = []
        /// Bumped on every revocation; the poll loop compares it to drop revoked messages.
        var revocations = 0
        var lastRevoked: Set<TopicPartition> = []
        /// Cleared by `KafkaConsumer.abandon()`: revocations then commit nothing.
        var commitOnRevoke = true
    }

    let state = Locked(State())
    private let onRebalance: (@Sendable (RebalanceEvent) -> Void)?

    init(onRebalance: (@Sendable (RebalanceEvent) -> Void)?) { self.onRebalance = onRebalance }

    var assignment: Set<TopicPartition> { state.withLock { $0.assignment } }

    func handle(_ handle: OpaquePointer, _ event: rd_kafka_resp_err_t,
                _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, logger: Logger) {
        let changed = topicPartitions(of: partitions)
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        switch event {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let error = cooperative
                ? takeError(rd_kafka_incremental_assign(handle, partitions), operation: "incremental assign")
                : failure(rd_kafka_assign(handle, partitions), operation: "assign")
            if let error { logger.error("rebalance: \(error)") }
            state.withLock { $0.assignment.formUnion(changed) }
            logger.info("rebalance: assigned \(changed.map(\.description).joined(separator: ","))")
            onRebalance?(.assigned(changed))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            // First stop handing out messages from these partitions, then commit what the
            // application stored, then unassign.
            let revoked = cooperative ? Set(changed) : state.withLock { $0.assignment }.union(changed)
            state.withLock {
                $0.assignment.subtract(revoked)
                $0.revocations += 1
                $0.lastRevoked = revoked
            }
            let lost = rd_kafka_assignment_lost(handle) != 0
            if !lost && state.withLock({ $0.commitOnRevoke }) {
                let commit = rd_kafka_commit(handle, nil, 0)
                if commit != RD_KAFKA_RESP_ERR_NO_ERROR && commit != RD_KAFKA_RESP_ERR__NO_OFFSET {
                    logger.warning("rebalance: commit of stored offsets failed: \(String(cString: rd_kafka_err2name(commit)))")
                }
            }
            let error = cooperative
                ? takeError(rd_kafka_incremental_unassign(handle, partitions), operation: "incremental unassign")
                : failure(rd_kafka_assign(handle, nil), operation: "unassign")
            if let error { logger.error("rebalance: \(error)") }
            logger.info("rebalance: revoked \(changed.map(\.description).joined(separator: ","))\(lost ? " (lost)" : "")")
            onRebalance?(.revoked(revoked.sorted(), lost: lost))
        default:
            logger.error("rebalance error \(String(cString: rd_kafka_err2name(event))); clearing assignment")
            _ = rd_kafka_assign(handle, nil)
            let revoked = state.withLock {
                let all = $0.assignment
                $0.assignment = []
                $0.revocations += 1
                $0.lastRevoked = all
                return all
            }
            onRebalance?(.revoked(revoked.sorted(), lost: true))
        }
    }

    private func failure(_ code: rd_kafka_resp_err_t, operation: String) -> KafkaError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code: code, operation: operation)
    }
}

func installRebalance(_ conf: OpaquePointer) {
    rd_kafka_conf_set_rebalance_cb(conf) { handle, event, partitions, opaque in
        guard let handle, let context = ClientContext.from(opaque), let coordinator = context.rebalance else { return }
        coordinator.handle(handle, event, partitions, logger: context.logger)
    }
}
