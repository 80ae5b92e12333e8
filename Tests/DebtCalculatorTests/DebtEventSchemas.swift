import Foundation
import Models
import Postgres
import TestSupport
import Testing

extension E2ERun {
    /// What the service's outbox holds (what the relay publishes byte for byte: topic, key, the stored
    /// CloudEvents headers and the payload), in order.
    func outboxRecords() async throws -> [EventSchemaValidator.Record] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT topic, partition_key, headers::text, convert_from(payload, 'UTF8') FROM outbox ORDER BY seq
                """).map { row in
                EventSchemaValidator.Record(topic: try row.decode(String.self, at: 0), key: try row.decode(String.self, at: 1),
                                            headers: try storedHeaders(try row.decode(String.self, at: 2)),
                                            payload: Data(try row.decode(String.self, at: 3).utf8))
            }
        }
    }

    /// Every event the real service wrote (and the upstream payment this test produced) validates
    /// against docs/asyncapi.yaml and docs/schemas/, including the cases a hand-built sample could
    /// miss: a reissue with multa and juros, a partial payment that leaves the state unchanged.
    func checkSchemas(upstreamPayment: PaymentReceived) async throws {
        let envelope = try EventEnvelope.wrapping(upstreamPayment, source: "/debt-e2e", time: Date())
        let produced = EventSchemaValidator.Record(
            topic: Topics.upstreamPayments.name, key: envelope.partitionKey,
            headers: Dictionary(CloudEventHeaders.encode(envelope).map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }) { _, last in last },
            payload: envelope.payload)
        let records = try await outboxRecords()
        let types = Set(records.compactMap { $0.headers["ce_type"] })
        let expected = [ChargeIssued.eventType, GRUIssued.eventType, GRUStateChanged.eventType, PaymentRecorded.eventType,
                        PaymentSettled.eventType, CADINChanged.eventType].map(\.description)
        #expect(Set(expected).isSubset(of: types), "outbox types: \(types.sorted())")
        let payloads = records.map { try? JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any] }
        #expect(payloads.contains { ($0?["purpose"] as? String) == "reemissao" && ($0?["multa"] as? Int ?? 0) > 0
            && ($0?["juros"] as? Int ?? 0) > 0 }, "no reissue with multa and juros among the events")
        #expect(payloads.contains { $0?["previousState"] != nil && ($0?["previousState"] as? String) == ($0?["state"] as? String) },
                "no state change keeping its state (partial payment) among the events")
        let outcome = try await EventSchemaValidator.validate([produced] + records)
        #expect(outcome.checked == records.count + 1)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.map { "\($0.index) \($0.type ?? "?"): \($0.errors)" })")
    }
}

/// The CloudEvents headers as `OutboxWriter` stores them (a JSON array of one-entry objects).
func storedHeaders(_ json: String) throws -> [String: String] {
    let stored = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]] ?? []
    return Dictionary(stored.flatMap { $0.map { ($0.key, $0.value) } }) { _, last in last }
}

extension DebtFixture {
    /// Every event the debt calculator's code wrote to this schema's outbox (on the fixture's output
    /// topic, which stands for `ressus.debts`) validates against docs/asyncapi.yaml and docs/schemas/.
    /// `with` runs it after every test body, so each scenario's real events are checked.
    func checkOutboxSchemas() async throws {
        let records = try await pool.withConnection { connection in
            try connection.query("""
                SELECT topic, partition_key, headers::text, convert_from(payload, 'UTF8') FROM outbox ORDER BY seq
                """).map { row in
                let topic = try row.decode(String.self, at: 0)
                return EventSchemaValidator.Record(
                    topic: topic.hasPrefix(Self.outputTopic) ? Topics.debts.name : topic, key: try row.decode(String.self, at: 1),
                    headers: try storedHeaders(try row.decode(String.self, at: 2)), payload: Data(try row.decode(String.self, at: 3).utf8))
            }
        }
        #expect(!records.isEmpty, "no events in the outbox of \(schema)")
        let outcome = try await EventSchemaValidator.validate(records)
        #expect(outcome.checked == records.count)
        #expect(outcome.failures.isEmpty,
                "events that do not match docs/schemas: \(outcome.failures.map { "\($0.index) \($0.type ?? "?"): \($0.errors)" })")
    }
}
