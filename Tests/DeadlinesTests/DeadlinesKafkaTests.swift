import DeadlinesCore
import Foundation
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// Notification events in through the broker (inbox consumer), chargeable atendimentos out through the
/// outbox relay, against the real Tansu and PostgreSQL.
@Suite struct DeadlinesKafkaTests {
    @Test func notificationEventsInChargeableEventOut() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let input = "deadlines-test-in-\(suffix)", output = "deadlines-test-out-\(suffix)"
        let kafka = KafkaConfig(bootstrapServers: try DeadlinesFixture.brokers(), clientID: "deadlines-tests")
        let admin = try KafkaAdmin(config: kafka, logger: quietLogger)
        try await admin.createTopics([TopicSpec(name: input, partitions: 2), TopicSpec(name: output, partitions: 2)])
        let fixture = try await DeadlinesFixture.make(startingOn: Sample.date("2026-05-04"), outputTopic: output)
        let consumer = InboxConsumer(name: "deadlines-test-\(suffix)", topics: [input], handler: fixture.handler,
                                     database: fixture.pool, kafka: kafka, clock: fixture.clock, logger: quietLogger)
        let relay = OutboxRelay(service: "deadlines-test", database: fixture.pool.configuration, kafka: kafka, logger: quietLogger)
        let running = RunningServices([consumer, relay], logger: quietLogger)
        do {
            try await run(fixture: fixture, kafka: kafka, input: input, output: output, suffix: String(suffix))
        } catch {
            await stop(running, fixture: fixture, admin: admin, topics: [input, output])
            throw error
        }
        await stop(running, fixture: fixture, admin: admin, topics: [input, output])
    }

    private func run(fixture: DeadlinesFixture, kafka: KafkaConfig, input: String, output: String, suffix: String) async throws {
        let documents = (1...3).map { Sample.documentNumber($0, prefix: "35") }
        let atendimentos = documents.map { Sample.atendimento($0, amount: 77_700) }
        let abi = 11, registro = "246810"
        // Batch 2 before the header, batch 1 last.
        let events: [any DomainEvent] = [
            Sample.batch(abi: abi, registro: registro, number: 2, [atendimentos[2]]),
            Sample.issued(abi: abi, registro: registro, availableOn: "2026-05-04", atendimentos: atendimentos, batchCount: 2),
            Sample.batch(abi: abi, registro: registro, number: 1, Array(atendimentos[..<2])),
        ]
        let producer = try KafkaProducer(config: kafka, logger: quietLogger)
        for event in events {
            let envelope = try EventEnvelope.wrapping(event, source: "/intake-test", time: fixture.clock.now)
            _ = try await producer.send(OutgoingMessage(
                topic: input, key: envelope.partitionKey, value: Array(envelope.payload),
                headers: CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) }))
        }
        await producer.close()
        try await waitUntil("the notification's atendimentos applied") {
            let count = try await fixture.scalar("SELECT count(*)::text FROM atendimentos")
            let state = try await fixture.scalar("SELECT state FROM notifications")
            return count == "3" && state == "aguardando_ciencia"
        }
        // Available Mon May 4 → tacit ciência Thu May 14 → 30 days: Sat Jun 13 → Mon Jun 15 → closes Jun 16.
        try await fixture.advance(to: Sample.date("2026-06-16"))

        let reader = try KafkaConsumer(config: kafka, groupID: "deadlines-test-reader-\(suffix)", topics: [output], logger: quietLogger)
        var found: AtendimentosChargeable?
        try await waitUntil("AtendimentosChargeable on \(output)", timeout: .seconds(45)) {
            for message in try await reader.poll(maxMessages: 100, timeout: .milliseconds(500)) {
                let envelope = try CloudEventHeaders.decode(
                    headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
                if envelope.type == AtendimentosChargeable.eventType {
                    found = try envelope.decode(AtendimentosChargeable.self)
                }
            }
            return found != nil
        }
        try? await reader.close()
        let event = try #require(found)
        #expect(event.atendimentos.map(\.document.value) == documents)
        #expect(event.atendimentos.allSatisfy { $0.outcome == .notImpugned && $0.finalAmount == Money(centavos: 77_700) })
        // Jun 15 + 15 = Tue Jun 30.
        #expect(event.originalDueDate == Sample.date("2026-06-30"))
        #expect(event.chargeableOn == Sample.date("2026-06-16"))
    }

    private func stop(_ running: RunningServices, fixture: DeadlinesFixture, admin: KafkaAdmin, topics: [String]) async {
        try? await running.stop()
        await fixture.tearDown()
        try? await admin.deleteTopics(topics + topics.map { "\($0).DLT" })
    }
}

