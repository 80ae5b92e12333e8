import Kafka

/// Which rows of a produced batch may be marked sent.
///
/// Rule: per partition key, only the rows before that key's first failure (in seq order). A row
/// of key K that failed, and every later row of K in the batch, stays pending even if its own
/// delivery succeeded; the next round starts again from the oldest pending row, so they are
/// produced again, in seq order.
///
/// Why this never lets a later event of K be *applied* before an earlier one:
/// - All rows of K go to one partition (same key), produced in seq order by one idempotent
///   producer (`enable.idempotence=true`, so at most 5 in-flight requests per partition and
///   sequence numbers per partition). The broker appends a partition's messages in the order
///   produced and never leaves a gap: when a message of a partition fails (e.g. times out while
///   the broker is down), librdkafka fails the messages queued or in flight after it on that
///   partition too, rather than delivering them past the hole. So on the topic the first copies
///   of K's events appear in seq order, possibly followed by re-sent copies (duplicates).
/// - A re-sent copy repeats an event the consumer already applied (its inbox absorbs it) or one
///   it has not seen yet, in which case every earlier row of K was already delivered before it
///   (rows are marked only as a prefix per key, and resending restarts from the oldest pending).
/// - Rows of other keys are not held back by K's failure: ordering is only promised per key.
///
/// The one case this rule cannot cover is a row librdkafka refuses at `produce` time (e.g. larger
/// than `message.max.bytes`): it never reaches the broker, so later rows of K in the same batch
/// may. The relay then keeps that key blocked (nothing more of K is marked) and logs the error;
/// such a row needs an operator.
struct OutboxRelayBatch {
    /// Seqs to mark sent.
    var delivered: [Int64] = []
    /// Rows that were produced but are not marked because an earlier row of their key failed.
    var heldBack = 0
    /// The first failure, for the log.
    var firstError: KafkaError?
    var failures = 0
    /// Successfully delivered and marked rows, per topic (for the produced-events counter).
    var deliveredPerTopic: [String: Int] = [:]

    init(rows: [OutboxRow], results: [Result<DeliveryReport, KafkaError>?]) {
        var blockedKeys = Set<String>()
        for (row, result) in zip(rows, results) {
            if blockedKeys.contains(row.partitionKey) {
                if case .success = result { heldBack += 1 }
                continue
            }
            switch result {
            case .success:
                delivered.append(row.seq)
                deliveredPerTopic[row.topic, default: 0] += 1
            case .failure(let error):
                blockedKeys.insert(row.partitionKey)
                failures += 1
                if firstError == nil { firstError = error }
            case nil:  // not produced at all (malformed headers)
                blockedKeys.insert(row.partitionKey)
                failures += 1
            }
        }
    }
}
