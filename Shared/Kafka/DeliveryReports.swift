import CRdKafka

/// Identifies one message of a batch; its address is the message's librdkafka opaque.
struct DeliverySlot {
    let batch: Unmanaged<DeliveryBatch>
    let index: Int
}

/// Collects the delivery reports of one `sendBatch` call and resumes it when all have arrived.
/// `@unchecked Sendable`: `state` is only touched under `lock` (delivery reports may arrive on the
/// poller thread and on a thread running flush concurrently); `slots` is written once at init
/// and freed in deinit, after the last report.
final class DeliveryBatch: @unchecked Sendable {
    private struct State {
        var results: [Result<DeliveryReport, KafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<DeliveryReport, KafkaError>], Never>?
    }

    private let topics: [String]
    private let state: Locked<State>
    let slots: UnsafeMutablePointer<DeliverySlot>

    init(topics: [String]) {
        self.topics = topics
        state = Locked(State(results: Array(repeating: nil, count: topics.count), remaining: topics.count))
        slots = .allocate(capacity: topics.count)
        let unmanaged = Unmanaged.passUnretained(self)
        for index in topics.indices {
            (slots + index).initialize(to: DeliverySlot(batch: unmanaged, index: index))
        }
    }

    deinit {
        slots.deinitialize(count: topics.count)
        slots.deallocate()
    }

    func opaque(for index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    func succeed(_ index: Int, partition: Int32, offset: Int64) {
        complete(index, .success(DeliveryReport(topic: topics[index], partition: partition, offset: offset)))
    }

    func complete(_ index: Int, _ result: Result<DeliveryReport, KafkaError>) {
        let finished: (CheckedContinuation<[Result<DeliveryReport, KafkaError>], Never>, [Result<DeliveryReport, KafkaError>])? =
            state.withLock { state in
                precondition(state.results[index] == nil, "two delivery reports for one message")
                state.results[index] = result
                state.remaining -= 1
                guard state.remaining == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state.results.map { $0! })
            }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }

    /// Suspends until every message has a report (or failed to enqueue).
    func results() async -> [Result<DeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let ready: [Result<DeliveryReport, KafkaError>]? = state.withLock { state in
                if state.remaining == 0 { return state.results.map { $0! } }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// librdkafka's delivery-report callback (`dr_msg_cb`), run by `rd_kafka_poll` on the poller thread.
func installDeliveryReports(_ conf: OpaquePointer) {
    rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
        guard let message, let slotPointer = message.pointee._private,
              let context = ClientContext.from(opaque), let limiter = context.producer else { return }
        let slot = slotPointer.assumingMemoryBound(to: DeliverySlot.self).pointee
        let batch = slot.batch.takeUnretainedValue()
        let error = message.pointee.err
        if error == RD_KAFKA_RESP_ERR_NO_ERROR {
            limiter.release(1, delivered: 1)
            batch.succeed(slot.index, partition: message.pointee.partition, offset: message.pointee.offset)
        } else {
            limiter.release(1, failed: 1)
            batch.complete(slot.index, .failure(KafkaError(code: error, operation: "delivery")))
        }
    }
}
