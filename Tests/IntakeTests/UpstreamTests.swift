import Foundation
import IntakeCore
import Kafka
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The upstream topic: identified atendimentos in batches, then the ABI's closing event.
@Suite struct UpstreamTests {
    static func atendimento(_ n: Int, value: String = "200.00") -> UpstreamAtendimento {
        UpstreamAtendimento(
            tipo: "APAC", numeroDocumento: String(3_525_200_000_000 + n), competencia: "2025-02", codigoBeneficiario: "U\(n)",
            dataNascimento: "1980-05-05", dataInicio: "2025-02-01", dataFim: "2025-02-28", cnes: "2077485",
            procedimento: "0304100021", quantidade: "1", valorSUS: value)
    }

    static func envelope<E: DomainEvent>(_ event: E) throws -> EventEnvelope {
        try EventEnvelope.wrapping(event, source: "upstream-test", time: Date())
    }

    static func apply(_ envelope: EventEnvelope, pool: PostgresPool, now: Date = Date()) async throws {
        try await pool.withTransaction { connection in
            try UpstreamAtendimentosHandler().handle(
                envelope, context: HandlerContext(connection: connection, outbox: OutboxWriter(connection: connection), now: now))
        }
    }

    static func notifyStatus(_ pool: PostgresPool, abi: Int) async throws -> ScheduledItem.Status? {
        try await pool.withConnection {
            try ScheduledWork.status(kind: NotifyABIHandler.kind, key: "abi-\(abi)-round-1", on: $0)
        }
    }

    @Test func batchesAreValidatedDedupedAndTheABIIsNotifiedWhenComplete() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let abi = try ABINumber(30)
            let second = try Self.envelope(UpstreamAtendimentosIdentified(
                abi: abi, batch: 2, registroANS: "234567",
                atendimentos: [Self.atendimento(1), Self.atendimento(2, value: "0"), Self.atendimento(3)]))
            try await Self.apply(second, pool: pool)
            try await Self.apply(try Self.envelope(UpstreamABIClosed(abi: abi, batchCount: 2)), pool: pool)
            #expect(try await Self.notifyStatus(pool, abi: 30) == nil)  // batch 1 still missing

            let first = try Self.envelope(UpstreamAtendimentosIdentified(
                abi: abi, batch: 1, registroANS: "999999", atendimentos: [Self.atendimento(4)]))
            try await Self.apply(first, pool: pool)
            #expect(try await Self.notifyStatus(pool, abi: 30) == .pending)

            // A republished batch (new event id, same batch number) changes nothing.
            let republished = try Self.envelope(UpstreamAtendimentosIdentified(
                abi: abi, batch: 2, registroANS: "234567", atendimentos: [Self.atendimento(9)]))
            try await Self.apply(republished, pool: pool)

            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM atendimentos") == 2)
            let rejected = try await pool.withConnection { connection in
                try connection.query("SELECT source, row_number, reason FROM rejected_rows ORDER BY source").map {
                    "\(try $0.decode(String.self, at: 0))|\(try $0.decode(Int.self, at: 1))|\(try $0.decode(String.self, at: 2))"
                }
            }
            #expect(rejected == [
                "upstream lote 1|1|registro_ans: operadora 999999 não cadastrada",
                "upstream lote 2|2|valor_sus: o valor deve ser maior que zero",
            ])
        }
    }

    /// Through the real broker: the intake's inbox consumer applies the upstream topic.
    @Test func theInboxConsumerAppliesUpstreamEventsFromTheBroker() async throws {
        guard let brokers = ProcessInfo.processInfo.environment["RESSUS_KAFKA_BROKERS"], !brokers.isEmpty else {
            throw TestFailure("RESSUS_KAFKA_BROKERS is not set: run the tests with `make test`")
        }
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let topic = "intake-upstream-test-\(suffix)"
            let kafka = KafkaConfig(bootstrapServers: brokers, clientID: "intake-tests-\(suffix)")
            let quiet = Logger(label: "intake-tests") { _ in SwiftLogNoOpLogHandler() }
            let admin = try KafkaAdmin(config: kafka, logger: quiet)
            try await admin.createTopics([TopicSpec(name: topic, partitions: 3)])
            defer { Task { try? await admin.deleteTopics([topic, topic + ".DLT"]) } }

            let abi = try ABINumber(31)
            let events = [
                try Self.envelope(UpstreamAtendimentosIdentified(abi: abi, batch: 1, registroANS: "123456",
                                                                 atendimentos: (1...3).map { Self.atendimento(100 + $0) })),
                try Self.envelope(UpstreamAtendimentosIdentified(abi: abi, batch: 2, registroANS: "345678",
                                                                 atendimentos: [Self.atendimento(200)])),
                try Self.envelope(UpstreamABIClosed(abi: abi, batchCount: 2)),
            ]
            let producer = try KafkaProducer(config: kafka, logger: quiet)
            for event in events {
                _ = try await producer.send(OutgoingMessage(
                    topic: topic, key: Array(event.partitionKey.utf8), value: Array(event.payload),
                    headers: CloudEventHeaders.encode(event).map { KafkaHeader(name: $0.name, value: $0.value) }))
            }
            await producer.close()

            let consumer = InboxConsumer(
                name: "intake-test-\(suffix)", topics: [topic], handler: UpstreamAtendimentosHandler(logger: quiet),
                database: pool, kafka: kafka, clock: SimulatedClock(startingAt: Date()), logger: quiet)
            let task = Task { try await consumer.run() }
            var status: ScheduledItem.Status?
            for _ in 0..<200 where status == nil {
                try await Task.sleep(for: .milliseconds(100))
                status = try await Self.notifyStatus(pool, abi: 31)
            }
            task.cancel()
            _ = try? await task.value
            #expect(status == .pending)
            #expect(try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM atendimentos WHERE abi = 31") == 4)
        }
    }
}
