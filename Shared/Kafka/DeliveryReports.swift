import CRdKafka

/// Identifies one message of a batch; its address is the message's librdkafka opaque.
struct DeliverySlot {
    let batch: Unmanaged<DeliveryBatch>
    let index: Int
}

/// Collects the delivery reports of one `sendBatch` call and resumes it when all have arrived.
/// Returns permits to the in-flight limiter as reports arrive, a few at a time (holding a permit
/// a little longer never lets more messages in flight).
/// `@unchecked Sendable`: `state` is only touched under its lock (delivery reports may arrive on
/// the poller thread and on a thread running flush concurrently); `slots` is written once at init
/// and freed in deinit, after the last report.
final class DeliveryBatch: @unchecked Sendable {
    typealias Results = [Result<DeliveryReport, KafkaError>]

    /// Permits returned to the limiter at once (fewer when the batch completes).
    private static let releaseEvery = 16

    /// What a delivery report says, kept compact; turned into `Results` by the waiting task.
    private struct Outcome {
        var error: rd_kafka_resp_err_t = RD_KAFKA_RESP_ERR_NO_ERROR
        var partition: Int32 = RD_KAFKA_PARTITION_UA
        var offset: Int64 = -1
    }

    private struct State {
        var outcomes: [Outcome]
        /// Messages that never reached librdkafka (rare): their errors.
        var refused: [Int: KafkaError] = [:]
        var remaining: Int
        var unreleasedPermits = 0
        var unreleasedDelivered = 0
        var unreleasedFailed = 0
        var continuation: CheckedContinuation<Void, Never>?
    }

    private let count: Int
    private let limiter: InFlightLimiter
    private let state: Locked<State>
    private let slots: UnsafeMutablePointer<DeliverySlot>

    init(count: Int, limiter: InFlightLimiter) {
        self.count = count
        self.limiter = limiter
        state = Locked(State(outcomes: Array(repeating: Outcome(), count: count), remaining: count))
        slots = .allocate(capacity: count)
        let unmanaged = Unmanaged.passUnretained(self)
        for index in 0..<count {
            (slots + index).initialize(to: DeliverySlot(batch: unmanaged, index: index))
        }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func opaque(for index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// A delivery report for a message librdkafka accepted (it holds a permit).
    func reported(_ index: Int, error: rd_kafka_resp_err_t, partition: Int32, offset: Int64) {
        finish(heldPermit: true, delivered: error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            $0.outcomes[index] = Outcome(error: error, partition: partition, offset: offset)
        }
    }

    /// A message that never reached librdkafka (refused, cancelled, closed); it holds no permit.
    func failed(_ index: Int, _ error: KafkaError) {
        finish(heldPermit: false, delivered: false) { $0.refused[index] = error }
    }

    private func finish(heldPermit: Bool, delivered: Bool, record: (inout State) -> Void) {
        var release = (permits: 0, delivered: 0, failed: 0)
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            record(&state)
            state.remaining -= 1
            if heldPermit { state.unreleasedPermits += 1 }
            if delivered { state.unreleasedDelivered += 1 } else { state.unreleasedFailed += 1 }
            if state.unreleasedPermits >= Self.releaseEvery || state.remaining == 0 {
                release = (state.unreleasedPermits, state.unreleasedDelivered, state.unreleasedFailed)
                state.unreleasedPermits = 0
                state.unreleasedDelivered = 0
                state.unreleasedFailed = 0
            }
            guard state.remaining == 0 else { return nil }
            defer { state.continuation = nil }
            return state.continuation
        }
        if release.permits + release.delivered + release.failed > 0 {
            limiter.release(release.permits, delivered: release.delivered, failed: release.failed)
        }
        continuation?.resume()
    }

    /// Suspends until every message has a report (or failed to enqueue), then returns them;
    /// `topic(index)` names message `index`'s topic.
    func results(topic: (Int) -> String) async -> Results {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if state.remaining == 0 { return true }
                state.continuation = continuation
                return false
            }
            if done { continuation.resume() }
        }
        let (outcomes, refused) = state.withLock { ($0.outcomes, $0.refused) }
        return outcomes.indices.map { index in
            if let error = refused[index] { return .failure(error) }
            let outcome = outcomes[index]
            if outcome.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(KafkaError(code: outcome.error, operation: "delivery"))
            }
            return .success(DeliveryReport(topic: topic(index), partition: outcome.partition, offset: outcome.offset))
        }
    }
}

/// librdkafka's delivery-report callback (`dr_msg_cb`), run by `rd_kafka_poll` on the poller thread.
func installDeliveryReports(_ conf: OpaquePointer) {
    rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
        guard let message, let slotPointer = message.pointee._private else { return }
        let slot = slotPointer.assumingMemoryBound(to: DeliverySlot.self).pointee
        // The waiting sendBatch call keeps the batch alive until its last report.
        slot.batch._withUnsafeGuaranteedRef {
            $0.reported(slot.index, error: message.pointee.err, partition: message.pointee.partition,
                        offset: message.pointee.offset)
        }
    }
}
