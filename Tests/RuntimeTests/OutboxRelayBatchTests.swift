@testable import Kafka
@testable import Runtime
import Testing

/// Which rows of a produced batch are marked sent (pure; no servers).
@Suite struct OutboxRelayBatchTests {
    private func row(_ seq: Int64, _ key: String, topic: String = "t", malformed: Bool = false) -> OutboxRow {
        OutboxRow(seq: seq, topic: topic, partitionKey: key,
                  message: malformed ? nil : OutgoingMessage(topic: topic, key: key, value: []))
    }

    private let ok: Result<DeliveryReport, KafkaError> = .success(DeliveryReport(topic: "t", partition: 0, offset: 0))
    private let failed: Result<DeliveryReport, KafkaError> = .failure(.cancelled)

    @Test func aFailureBlocksOnlyLaterRowsOfItsKey() {
        let rows = [row(1, "a"), row(2, "b"), row(3, "a"), row(4, "b"), row(5, "a"), row(6, "c", topic: "u")]
        let batch = OutboxRelayBatch(rows: rows, results: [ok, ok, failed, ok, ok, ok])
        #expect(batch.delivered == [1, 2, 4, 6])
        #expect(batch.heldBack == 1)  // row 5 was delivered but follows a failure of "a"
        #expect(batch.failures == 1 && batch.failedKeys == ["a"])
        #expect(batch.deliveredPerTopic == ["t": 3, "u": 1])
    }

    @Test func aRowThatCouldNotBeProducedBlocksItsKey() {
        let rows = [row(1, "a", malformed: true), row(2, "a"), row(3, "b")]
        let batch = OutboxRelayBatch(rows: rows, results: [nil, ok, ok])
        #expect(batch.delivered == [3])
        #expect(batch.failures == 1 && batch.heldBack == 1)
    }

    @Test func everythingDeliveredIsMarked() {
        let rows = (1...5).map { row(Int64($0), "k\($0 % 2)") }
        let batch = OutboxRelayBatch(rows: rows, results: Array(repeating: ok, count: 5))
        #expect(batch.delivered == [1, 2, 3, 4, 5])
        #expect(batch.failures == 0 && batch.firstError == nil)
    }

    @Test func storedHeadersParseInOrderAndRejectOtherShapes() {
        let headers = OutboxRelayStore.parseHeaders(#"[{"ce_id": "1"}, {"ce_type": "x"}, {"ce_id": "2"}]"#)
        #expect(headers == [KafkaHeader(name: "ce_id", string: "1"), KafkaHeader(name: "ce_type", string: "x"),
                            KafkaHeader(name: "ce_id", string: "2")])
        #expect(OutboxRelayStore.parseHeaders("[]") == [])
        #expect(OutboxRelayStore.parseHeaders(#"{"ce_id": "1"}"#) == nil)
        #expect(OutboxRelayStore.parseHeaders(#"[{"a": "1", "b": "2"}]"#) == nil)
        #expect(OutboxRelayStore.parseHeaders(#"[{"a": 1}]"#) == nil)
    }

    @Test func lockKeyDependsOnTheSchema() {
        #expect(OutboxRelayStore.lockKey(schema: "intake") == OutboxRelayStore.lockKey(schema: "intake"))
        #expect(OutboxRelayStore.lockKey(schema: "intake") != OutboxRelayStore.lockKey(schema: "deadlines"))
    }
}
