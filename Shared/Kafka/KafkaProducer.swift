import CRdKafka
import Foundation
import Logging

/// An idempotent producer (`enable.idempotence=true`, `acks=all`) whose sends resume when the
/// broker acknowledges. At most `maxInFlight` messages are unacknowledged at any time: `send`
/// suspends beyond that, so memory stays bounded when producing faster than the broker accepts.
/// A dedicated thread serves delivery reports (`rd_kafka_poll`).
public final class KafkaProducer: Sendable {
    /// Snapshot of the producer's counters.
    public struct Statistics: Sendable {
        /// Permits held: messages being produced or not yet acknowledged (never above `maxInFlight`).
        public var inFlight: Int
        /// The highest `inFlight` seen.
        public var peakInFlight: Int
        public var delivered: Int
        public var failed: Int
    }

    private let handle: ClientHandle
    private let context: ClientContext
    private let limiter: InFlightLimiter
    private let poller: PollerThread
    /// Keeps the handle alive while any task produces with it; `close()` closes it.
    private let gate = UsageGate()
    private let closer = BlockingWorker(label: "ressus.kafka.producer.close")
    public let maxInFlight: Int

    /// Creates the producer. `maxInFlight` bounds unacknowledged messages.
    /// Throws a KafkaError naming the property when the configuration is invalid.
    public init(config: KafkaConfig, maxInFlight: Int = KafkaDefaults.maxInFlightMessages,
                logger: Logger = Logger(label: "ressus.kafka.producer")) throws {
        self.maxInFlight = maxInFlight
        limiter = InFlightLimiter(capacity: maxInFlight)
        context = ClientContext(logger: logger)
        let settings = config.settings(
            defaults: [
                // librdkafka's own queue never limits before the in-flight bound does.
                "queue.buffering.max.messages": String(max(maxInFlight, 100_000)),
                "linger.ms": "5",
            ],
            required: ["enable.idempotence": "true", "acks": "all"])
        handle = try makeClient(type: RD_KAFKA_PRODUCER, settings: settings, context: context,
                                configure: installDeliveryReports)
        poller = PollerThread(handle: handle, name: "ressus.kafka.producer.poll")
    }

    deinit {
        // No task can be sending (each holds a reference); only an unclosed handle is left.
        if gate.closeAndWait() {
            context.logger.warning("KafkaProducer deinitialised without close(); destroying without flush")
            poller.stopAndWait()
            rd_kafka_destroy(handle.pointer)
        }
    }

    /// Produces one message and returns where the broker stored it.
    public func send(_ message: OutgoingMessage) async throws -> DeliveryReport {
        try await sendBatch([message])[0].get()
    }

    /// Produces one message and returns where the broker stored it.
    public func send(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) async throws -> DeliveryReport {
        try await send(OutgoingMessage(topic: topic, key: key, value: value, headers: headers))
    }

    /// Produces `messages` in order and returns one result per message, in the same order, once
    /// all have been acknowledged or failed. Messages with the same key keep their order.
    /// After cancellation or `close()`, messages not yet handed to librdkafka fail (`CANCELLED`,
    /// `CLOSED`); those already handed over still get their delivery report.
    public func sendBatch(_ messages: [OutgoingMessage]) async -> [Result<DeliveryReport, KafkaError>] {
        guard !messages.isEmpty else { return [] }
        let batch = DeliveryBatch(count: messages.count, limiter: limiter)
        var next = 0
        while next < messages.count && !Task.isCancelled {
            let granted = await limiter.acquire(upTo: messages.count - next)
            guard granted > 0 else { break }
            guard gate.enter() else {
                limiter.release(granted)
                break
            }
            let end = next + granted
            while next < end {
                var error = enqueue(messages, next, opaque: batch.opaque(for: next))
                // Only when librdkafka's own queue limits are below the in-flight bound.
                while error == RD_KAFKA_RESP_ERR__QUEUE_FULL && !Task.isCancelled && !limiter.isClosed {
                    try? await Task.sleep(for: .milliseconds(1))  // the poller drains the queue meanwhile
                    error = enqueue(messages, next, opaque: batch.opaque(for: next))
                }
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {  // refused: no delivery report will follow
                    limiter.release(1)
                    batch.failed(next, error != RD_KAFKA_RESP_ERR__QUEUE_FULL
                        ? KafkaError(code: error, operation: "produce to \(messages[next].topic)")
                        : Task.isCancelled ? .cancelled : .closed("producer"))
                }
                next += 1
                if Task.isCancelled { break }
            }
            // Serve the reports already waiting, as a plain librdkafka loop would: their permits
            // come back without waiting for the poller thread to be scheduled.
            rd_kafka_poll(handle.pointer, 0)
            gate.leave()
            if next < end { limiter.release(end - next) }  // permits taken for unsent messages
        }
        if next < messages.count {
            let error: KafkaError = Task.isCancelled ? .cancelled : .closed("producer")
            for index in next..<messages.count { batch.failed(index, error) }
        }
        return await batch.results { messages[$0].topic }
    }

    private func enqueue(_ messages: [OutgoingMessage], _ index: Int, opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        let headers = makeHeaders(messages[index].headers)
        let partition = messages[index].partition ?? RD_KAFKA_PARTITION_UA
        let error = messages[index].value.withUnsafeBytes { value in
            withOptionalBytes(messages[index].key) { key in
                ressus_rd_kafka_produce(handle.pointer, messages[index].topic, partition,
                                        key?.baseAddress, key?.count ?? 0,
                                        value.baseAddress, value.count, headers, opaque)
            }
        }
        if error != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return error
    }

    /// Waits until every produced message is acknowledged or `timeout` passes.
    public func flush(timeout: Duration) async throws {
        let handle = self.handle, gate = self.gate
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let error = try await closer.run { gate.whileOpen { rd_kafka_flush(handle.pointer, milliseconds) } }
        guard let error else { throw KafkaError.closed("producer") }
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: error, message: "flush: messages still outstanding after \(timeout)")
        }
    }

    /// Flushes (up to `flushTimeout`), fails whatever is still outstanding, stops the poller and
    /// destroys the client. Sends waiting for a permit fail with a `CLOSED` error.
    public func close(flushTimeout: Duration = KafkaDefaults.closeFlushTimeout) async {
        limiter.close()
        let handle = self.handle, poller = self.poller, gate = self.gate, logger = context.logger
        let milliseconds = Int32(clamping: flushTimeout.milliseconds)
        _ = try? await closer.run {
            // Senders still inside a chunk finish handing it over (the poller keeps running).
            guard gate.closeAndWait() else { return }
            if rd_kafka_flush(handle.pointer, milliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("producer close: \(rd_kafka_outq_len(handle.pointer)) messages not acknowledged; purging")
            }
            // Purged messages get a delivery report with a _PURGE_* error, so no send waits forever.
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            poller.stopAndWait()
            // Serve those reports (up to a second) so every waiting send resumes before destroy.
            for _ in 0..<100 where rd_kafka_outq_len(handle.pointer) > 0 { rd_kafka_poll(handle.pointer, 10) }
            rd_kafka_destroy(handle.pointer)
        }
    }

    /// The fatal error that stopped this producer, if any (`rd_kafka_fatal_error`): an idempotent
    /// producer cannot go on after one (e.g. the broker lost the producer's sequence state) and
    /// must be replaced by a new producer.
    public var fatalError: KafkaError? {
        gate.whileOpen { () -> KafkaError? in
            var buffer = [CChar](repeating: 0, count: 512)
            let code = rd_kafka_fatal_error(handle.pointer, &buffer, buffer.count)
            return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code: code, message: "fatal: \(text(of: buffer))")
        } ?? nil
    }

    /// Current counters (in flight, peak, delivered, failed).
    public var statistics: Statistics {
        let counters = limiter.counters
        return Statistics(inFlight: counters.held, peakInFlight: counters.peakHeld,
                          delivered: counters.delivered, failed: counters.failed)
    }

    /// Messages librdkafka still holds plus its events not yet served (`rd_kafka_outq_len`): an
    /// observation independent of the wrapper's own counters. 0 once closed.
    public var librdkafkaQueueLength: Int {
        gate.whileOpen { Int(rd_kafka_outq_len(handle.pointer)) } ?? 0
    }
}

/// A thread looping on `rd_kafka_poll`, which runs delivery-report and log callbacks.
final class PollerThread: Sendable {
    private let stopping = Locked(false)
    private let exited = DispatchSemaphore(value: 0)

    init(handle: ClientHandle, name: String) {
        let stopping = self.stopping, exited = self.exited
        let thread = Thread {
            while !stopping.withLock({ $0 }) { rd_kafka_poll(handle.pointer, 100) }
            exited.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop and blocks until it has (at most one poll timeout).
    func stopAndWait() {
        let first = stopping.withLock { let was = $0; $0 = true; return !was }
        if first { exited.wait() }
    }
}

func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
    guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
    for header in headers {
        header.value.withUnsafeBytes { value in
            _ = rd_kafka_header_add(list, header.name, -1, value.baseAddress, value.count)
        }
    }
    return list
}

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
