import Kafka

/// Which rows of a produced batch may be marked sent.
///
/// Rule: per partition key, only the rows before that key's first failure (in seq order). A row
/// of key K that failed, and every later row of K in the batch, stays pending even if its own
/// delivery succeeded; the next round starts again from the oldest pending row, so they are
/// produced again, in seq order. (Until it succeeds, the relay produces only K's oldest pending
/// row each round, so a failing key does not re-send all its later rows every time.)
///
/// Why this never lets a later event of K be *applied* before an earlier one:
/// - All rows of K go to one partition (same key), produced in seq order by one idempotent
///   producer (`enable.idempotence=true`: per-partition sequence numbers, order kept across
///   retries). The broker rejects a request whose sequence does not follow the last one it wrote,
///   so what reaches a partition is always a prefix of what was produced to it, unless librdkafka
///   itself drops a message and moves on (a gap).
/// - librdkafka makes a gap in two cases (INTRODUCTION.md, "Idempotent Producer"): a message that
///   times out (`message.timeout.ms`) — later messages of the partition are then sent with a
///   bumped epoch — and a message the broker rejects permanently. The relay therefore sets no
///   message timeout by default (`OutboxRelay.Options.deliveryTimeout` = nil: during an outage the
///   batch simply waits), and at shutdown it abandons a stuck batch by closing the producer, which
///   purges every outstanding message at once (no later message survives an earlier one).
/// - So on the topic the first copies of K's events appear in seq order, possibly followed by
///   re-sent copies: a re-sent row is either already applied (the consumer's inbox absorbs it) or
///   every earlier row of K was delivered before it (rows are marked only as a prefix per key, and
///   each round restarts from the oldest pending row).
/// - Rows of other keys are not held back by K's failure: ordering is only promised per key.
///
/// What remains for an operator: a row the broker or librdkafka rejects permanently (e.g. larger
/// than `message.max.bytes`, or malformed stored headers) blocks its key — nothing later of K is
/// marked, and the relay logs it — but later rows of K in the same batch may already be on the
/// topic. With a finite `deliveryTimeout` the same can happen after a timeout.
struct OutboxRelayBatch {
    /// Seqs to mark sent.
    var delivered: [Int64] = []
    /// Rows that were produced but are not marked because an earlier row of their key failed.
    var heldBack = 0
    /// The first failure, for the log.
    var firstError: KafkaError?
    var failures = 0
    /// Keys with a failure in this batch.
    var failedKeys = Set<String>()
    /// Successfully delivered and marked rows, per topic (for the produced-events counter).
    var deliveredPerTopic: [String: Int] = [:]

    init(rows: [OutboxRow], results: [Result<DeliveryReport, KafkaError>?]) {
        for (row, result) in zip(rows, results) {
            if failedKeys.contains(row.partitionKey) {
                if case .success = result { heldBack += 1 }
                continue
            }
            switch result {
            case .success:
                delivered.append(row.seq)
                deliveredPerTopic[row.topic, default: 0] += 1
            case .failure(let error):
                failedKeys.insert(row.partitionKey)
                failures += 1
                if firstError == nil { firstError = error }
            case nil:  // not produced at all (malformed headers)
                failedKeys.insert(row.partitionKey)
                failures += 1
            }
        }
    }
}
