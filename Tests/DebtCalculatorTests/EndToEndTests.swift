import DebtCalculatorCore
import Foundation
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The real `ressus-debt-calculator` process (simulated clock, its own fresh database) with the CLI:
/// chargeable atendimentos produced on `Topics.deadlines`, a payment on `Topics.upstreamPayments`, a
/// bank-return file, the position, a reissue, a suspensão and CADIN, and a restart in the middle; every
/// event the service wrote validates against docs/asyncapi.yaml and docs/schemas/.
/// Expected amounts are computed by hand from DOMAIN.md (formulas beside them).
///
/// Isolation: the service's topics are the production names, so inputs use a random registro ANS, the
/// service runs in a consumer group of its own (`RESSUS_DEBT_CALCULATOR_CONSUMER_GROUP`, so another
/// debt calculator on the same broker does not split the partitions with it) and writes to a database
/// of its own; events other tests put on those topics land there harmlessly.
@Suite(.serialized) struct EndToEndTests {
    @Test func debtCycleThroughTheServiceProcessAndTheCLI() async throws {
        let environment = try TestEnvironment.required()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let database = "debt_e2e_\(suffix)"
        let sharedURL = try TestEnvironment.databaseURL()
        let url = Self.url(sharedURL, database: database)
        let admin = PostgresPool(configuration: try PostgresConfiguration(connectionString: sharedURL, applicationName: "debt-e2e"),
                                 options: .init(size: 1), logger: quietLogger)
        try await admin.withConnection { try $0.executeScript("CREATE DATABASE \(database)") }
        let clockTopic = "ressus.clock.debt-e2e-\(suffix)"
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "debt-e2e")
        let kafkaAdmin = try KafkaAdmin(config: kafka, logger: quietLogger)
        try await kafkaAdmin.createTopics([TopicSpec(name: clockTopic, partitions: 1)])
        let run = E2ERun(
            url: url, kafka: kafka, clockTopic: clockTopic,
            registro: "9" + String(format: "%05d", Int.random(in: 0..<100_000)),
            documentPrefix: "9" + String(format: "%04d", Int.random(in: 0..<10_000)),
            environment: environment.merging([
                "RESSUS_DEBT_CALCULATOR_DATABASE_URL": url, "RESSUS_CLOCK": "simulated", "RESSUS_CLOCK_TOPIC": clockTopic,
                "RESSUS_CLOCK_START": "2026-03-02T09:00:00-03:00", "RESSUS_HTTP_PORT": "0",
                "RESSUS_DEBT_CALCULATOR_CONSUMER_GROUP": "debt-calculator-e2e-\(suffix)",
            ]) { _, new in new })
        do {
            try await run.cycle()
        } catch {
            await run.cleanUp(admin: admin, database: database)
            try? await kafkaAdmin.deleteTopics([clockTopic])
            throw error
        }
        await run.cleanUp(admin: admin, database: database)
        try? await kafkaAdmin.deleteTopics([clockTopic])
    }

    /// `shared` with its database name replaced.
    static func url(_ shared: String, database: String) -> String {
        var components = URLComponents(string: shared)!
        components.path = "/" + database
        return components.string!
    }
}

final class E2ERun: @unchecked Sendable {
    let url: String
    let kafka: KafkaConfig
    let clockTopic: String
    let registro: String
    let documentPrefix: String
    let environment: [String: String]
    var service: ChildProcess?
    let pool: PostgresPool

    init(url: String, kafka: KafkaConfig, clockTopic: String, registro: String, documentPrefix: String,
         environment: [String: String]) {
        self.url = url
        self.kafka = kafka
        self.clockTopic = clockTopic
        self.registro = registro
        self.documentPrefix = documentPrefix
        self.environment = environment
        pool = PostgresPool(
            configuration: try! PostgresConfiguration(connectionString: url, applicationName: "debt-e2e",
                                                      schema: ServiceDescriptor.debtCalculator.schema),
            options: .init(size: 1), logger: quietLogger)
    }

    func startService() async throws {
        let child = try ChildProcess("ressus-debt-calculator", environment: environment)
        service = child
        try await child.waitFor("service ready", timeout: .seconds(90))
    }

    func stopService() async throws {
        guard let service else { return }
        let status = try await service.stop(with: SIGTERM)
        #expect(status == 0, "service exit status \(status); log:\n\(service.output.text.suffix(3000))")
        self.service = nil
    }

    func cleanUp(admin: PostgresPool, database: String) async {
        if let service { _ = try? await service.stop(with: SIGKILL) }
        await pool.close()
        _ = try? await admin.withConnection { try $0.executeScript("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        await admin.close()
    }

    func cli(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments, environment: environment)
    }

    func document(_ n: Int) -> SUSDocumentNumber {
        let digits = String(n)
        return try! SUSDocumentNumber(documentPrefix + String(repeating: "0", count: 13 - documentPrefix.count - digits.count) + digits)
    }

    func produce<E: DomainEvent>(_ event: E, topic: String) async throws {
        let producer = try KafkaProducer(config: kafka, logger: quietLogger)
        let envelope = try EventEnvelope.wrapping(event, source: "/debt-e2e", time: Date())
        _ = try await producer.send(OutgoingMessage(
            topic: topic, key: Array(envelope.partitionKey.utf8), value: Array(envelope.payload),
            headers: CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) }))
        await producer.close()
    }

    func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> [String] {
        try await pool.withConnection { try $0.query(sql, parameters).map { try $0.decode(String?.self, at: 0) ?? "∅" } }
    }

    func grus() async throws -> [String] {
        try await query("SELECT gru_number FROM grus WHERE registro_ans = $1 ORDER BY gru_number", [registro])
    }

    func state(_ gru: String) async throws -> String? { try await query("SELECT state FROM grus WHERE gru_number = $1", [gru]).first }

    /// Counts of this operadora's events in the outbox, by type.
    func eventCounts() async throws -> [String: Int] {
        let rows = try await query("""
            SELECT event_type || '=' || count(*) FROM outbox WHERE partition_key = $1 GROUP BY event_type
            """, [registro])
        var counts: [String: Int] = [:]
        for row in rows {
            let parts = row.split(separator: "=")
            counts[String(parts[0])] = Int(parts[1])
        }
        return counts
    }

    func cycle() async throws {
        try await startService()
        let operadora = try RegistroANS(registro)
        func chargeable(_ abi: Int, _ docs: [Int], _ amounts: [String]) throws -> AtendimentosChargeable {
            AtendimentosChargeable(
                abi: try ABINumber(abi), registroANS: operadora,
                atendimentos: try zip(docs, amounts).map { doc, text in
                    let amount = try Money(parsing: text)
                    return ChargeableAtendimento(document: document(doc), competencia: try YearMonth(parsing: "2025-10"), outcome: amount == .zero ? .deferida : .notImpugned,
                                                 originalAmount: amount == .zero ? Money(reais: 70) : amount, finalAmount: amount)
                },
                originalDueDate: try CivilDate(parsing: "2026-03-16"), paymentDueDate: try CivilDate(parsing: "2026-03-16"),
                chargeableOn: try CivilDate(parsing: "2026-03-02"))
        }
        // Another deadlines event type on the same topic: acknowledged and skipped.
        try await produce(NotificationCienciaRegistered(
            abi: try ABINumber(1), registroANS: operadora, cienciaOn: try CivilDate(parsing: "2026-01-05"), kind: .tacit,
            impugnacaoWindowEnd: try CivilDate(parsing: "2026-02-04")), topic: Topics.deadlines.name)
        try await produce(try chargeable(1, [1, 2, 3], ["6000,00", "4000,00", "0"]), topic: Topics.deadlines.name)
        try await produce(try chargeable(1, [4], ["10000,00"]), topic: Topics.deadlines.name)
        try await produce(try chargeable(2, [5], ["10000,00"]), topic: Topics.deadlines.name)
        try await waitUntil("three GRUs (after any backlog on the shared topic)", timeout: .seconds(120)) { try await self.grus().count == 3 }
        let numbers = try await grus()
        let (g1, g2, g3) = (numbers[0], numbers[1], numbers[2])
        #expect(try await query("SELECT principal::text FROM grus WHERE registro_ans = $1 ORDER BY gru_number", [registro])
            == ["1000000", "1000000", "1000000"])

        // Upstream payment, late: due 03-16, paid 03-31: 15 days × 0,33% = 4,95% → R$ 495,00, juros 0.
        let upstreamPayment = PaymentReceived(paymentID: "UP-\(registro)-1", gruNumber: g1, amount: Money(centavos: 1_049_500),
                                              paidOn: try CivilDate(parsing: "2026-03-31"), origin: "banco-001")
        try await produce(upstreamPayment, topic: Topics.upstreamPayments.name)
        try await waitUntil("upstream payment applied", timeout: .seconds(60)) { try await self.state(g1) == "paga_com_atraso" }

        // Bank-return file: a partial payment of GRU 2, an unknown GRU, a bad row.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("retorno-\(registro).csv")
        try """
            id_pagamento;gru;valor;data_pagamento;origem
            RET-\(registro)-1;\(g2);5.000,00;2026-03-31;banco-001
            RET-\(registro)-2;99999990000000001;150,00;2026-03-31;banco-001
            RET-\(registro)-3;\(g3);dez reais;2026-03-31;banco-001
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let imported = try await cli(["pagamentos", "importar", file.path, "--banco", url])
        #expect(imported.status == 0, "stderr: \(imported.error)")
        #expect(imported.error.contains("linha 4: valor 'dez reais' inválido"), "\(imported.error)")
        #expect(imported.output.contains("2 pagamento(s) processado(s), total R$ 5.150,00"), "\(imported.output)")
        #expect(imported.output.contains("parcial: 1") && imported.output.contains("gru_desconhecida: 1"), "\(imported.output)")

        // Restart in the middle: nothing changes.
        let before = try await eventCounts()
        try await stopService()
        try await startService()
        try await Task.sleep(for: .seconds(3))
        #expect(try await eventCounts() == before)

        // Position on 2026-03-31 (JSON). GRU 2: open 10000 − 4764,17 = 5235,83 (partial split in
        // proportion: 10000 × 5000 / 10495 = 4764,17); multa 4,95% of 5235,83 = 259,17; total 5495,00.
        // GRU 3: 10000 + 495,00.
        let position = try await cli(["debitos", "posicao", "--operadora", registro, "--em", "2026-03-31", "--json", "--banco", url])
        #expect(position.status == 0, "stderr: \(position.error)")
        let decoded = try JSONDecoder().decode(DebtPosition.self, from: Data(position.output.utf8))
        #expect(decoded.grus.map(\.state) == [.pagaComAtraso, .emitida, .emitida])
        #expect(decoded.grus[1].openPrincipal == Money(centavos: 523_583))
        #expect(decoded.grus[1].multa == Money(centavos: 25_917) && decoded.grus[1].total == Money(centavos: 549_500))
        #expect(decoded.grus[2].multa == Money(centavos: 49_500) && decoded.grus[2].total == Money(centavos: 1_049_500))
        #expect(decoded.grus[2].memo?.daysLate == 15)

        // 2026-04-20: reissue GRU 3 due 04-30: 45 days × 0,33% = 14,85% → 1.485,00; juros 1% (April) → 100,00.
        let advanced = try await cli(["relogio", "avancar", "--para", "2026-04-20T09:00", "--topico", clockTopic,
                                      "--aguardar", "debt-calculator", "--tempo-limite", "60"])
        #expect(advanced.status == 0, "stderr: \(advanced.error)")
        let reissued = try await cli(["gru", "reemitir", "--gru", g3, "--vencimento", "2026-04-30", "--banco", url])
        #expect(reissued.status == 0, "stderr: \(reissued.error)")
        #expect(reissued.output.contains("total R$ 11.585,00"), "\(reissued.output)")
        let suspended = try await cli(["suspensao", "registrar", "--gru", g2, "--processo", "5001234-00.2026.4.02.5101", "--banco", url])
        #expect(suspended.status == 0, "stderr: \(suspended.error)")
        let all = try await grus()
        try #require(all.count == 4)
        let g4 = all[3]
        #expect(try await state(g3) == "cancelada")

        // 2026-05-19: charged 03-02 + 75 days = Sat 05-16 → Mon 05-18 passed: CADIN for the reissued GRU
        // (same charge); the suspended one is skipped.
        let cadin = try await cli(["relogio", "avancar", "--para", "2026-05-19T09:00", "--topico", clockTopic,
                                   "--aguardar", "debt-calculator", "--tempo-limite", "60"])
        #expect(cadin.status == 0, "stderr: \(cadin.error)")
        try await waitUntil("CADIN", timeout: .seconds(30)) {
            try await self.query("SELECT in_cadin::text FROM grus WHERE gru_number = $1", [g4]) == ["true"]
        }
        #expect(try await query("SELECT in_cadin::text FROM grus WHERE gru_number = $1", [g2]) == ["false"])
        let text = try await cli(["debitos", "posicao", "--operadora", registro, "--em", "2026-05-19", "--banco", url])
        #expect(text.status == 0, "stderr: \(text.error)")
        #expect(text.output.contains("[CADIN]") && text.output.contains("suspensa judicialmente"), "\(text.output)")

        let counts = try await eventCounts()
        #expect(counts[ChargeIssued.eventType.description] == 3)
        #expect(counts[GRUIssued.eventType.description] == 4)
        #expect(counts[PaymentSettled.eventType.description] == 2)
        // The unknown-GRU payment is keyed by its GRU number (no operadora).
        #expect(counts[PaymentRecorded.eventType.description] == 2)
        #expect(counts[CADINChanged.eventType.description] == 1)
        // GRU 1 paid, GRU 2 partial, GRU 3 cancelled, GRU 2 suspended.
        #expect(counts[GRUStateChanged.eventType.description] == 4)
        try await checkSchemas(upstreamPayment: upstreamPayment)
        try await stopService()
    }
}
