import Foundation
import Kafka
import Logging
import Models

/// The independent side of the reconciliation: the `PaymentSettled` events on the debts topic,
/// read from the beginning with a throwaway consumer group (nothing is committed), deduplicated by
/// payment id and summed per collection month.
public enum SettledOnTopic {
    /// Reads `topic` up to its end (the high watermark of every partition when reading started).
    public static func read(kafka: KafkaConfig, topic: String, timeout: Duration = .seconds(120),
                            logger: Logger) async throws -> [YearMonth: CountAmount] {
        let consumer = try KafkaConsumer(
            config: kafka, groupID: "ressus-fns-conciliacao-\(UUID().uuidString.prefix(8).lowercased())",
            topics: [topic], logger: logger)
        do {
            let sums = try await readAll(consumer, timeout: timeout)
            try? await consumer.close()
            return sums
        } catch {
            try? await consumer.close()
            throw error
        }
    }

    private static func readAll(_ consumer: KafkaConsumer, timeout: Duration) async throws -> [YearMonth: CountAmount] {
        var settled: [String: PaymentSettled] = [:]
        var next: [TopicPartition: Int64] = [:]
        var ends: [TopicPartition: Int64]?
        let deadline = ContinuousClock.now + timeout
        while true {
            for message in try await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(500)) {
                next[message.topicPartition] = message.offset + 1
                guard message.headerString("ce_type") == PaymentSettled.eventType.description else { continue }
                let envelope = try CloudEventHeaders.decode(
                    headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
                let event = try envelope.decode(PaymentSettled.self)
                if settled[event.paymentID] == nil { settled[event.paymentID] = event }
            }
            if ends == nil, !consumer.assignment.isEmpty {
                ends = try await consumer.lag().mapValues(\.highWatermark)
            }
            if let ends, ends.allSatisfy({ next[$0.key, default: 0] >= $0.value }) { break }
            if ContinuousClock.now > deadline { throw FNSError.topicNotRead(topic: consumer.groupID) }
        }
        var sums: [YearMonth: CountAmount] = [:]
        for event in settled.values {
            sums[event.paidOn.yearMonth, default: CountAmount()] = sums[event.paidOn.yearMonth, default: CountAmount()]
                + CountAmount(count: 1, amount: event.total)
        }
        return sums
    }
}
