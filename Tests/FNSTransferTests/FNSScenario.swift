import FNSTransferCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The steps of ``FNSServiceTests/cycleThroughTheBroker()``.
struct Scenario {
    let fixture: FNSFixture
    let kafka: KafkaConfig
    let debts: String
    let notifications: String
    let output: String
    let suffix: String
    let site: PublicSite

    /// What the test settled, per payment id (the reference the service must reconcile with).
    private static let settlements: [PaymentSettled] = [
        Sample.settled("s1", gru: 1, paidOn: "2026-03-03", principal: 100_000),
        Sample.settled("s2", gru: 1, paidOn: "2026-03-20", principal: 50_000, multa: 1_650, juros: 500),
        Sample.settled("s3", gru: 2, paidOn: "2026-04-06", principal: 70_000),
        Sample.settled("s4", gru: 2, paidOn: "2026-03-31", principal: 9_999),
        Sample.settled("s5", gru: 2, paidOn: "2026-05-10", principal: 5_000, multa: 33, juros: 0),
    ]

    func run() async throws {
        let producer = try KafkaProducer(config: kafka, logger: quietLogger)
        do {
            try await steps(producer)
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
    }

    private func steps(_ producer: KafkaProducer) async throws {
        let registro = Sample.registro()
        try await send(NotificationIssued(abi: try ABINumber(7), registroANS: registro, availableOn: Sample.date("2026-01-05"),
                                          atendimentoCount: 4, totalToReimburse: Money(centavos: 240_000), batchCount: 1),
                       to: notifications, producer)
        try await send(Sample.charge("c1", atendimentos: [(1, 150_000)], issuedOn: "2026-03-02", gru: 1), to: debts, producer)
        try await send(Sample.gruIssued(1, principal: 150_000, issuedOn: "2026-03-02"), to: debts, producer)
        try await send(Sample.charge("c2", atendimentos: [(2, 90_000)], issuedOn: "2026-03-02", gru: 2), to: debts, producer)
        let first = try EventEnvelope.wrapping(Self.settlements[0], source: "/debt-calculator-test", time: fixture.clock.now)
        try await send(first, to: debts, producer)
        try await send(Self.settlements[1], to: debts, producer)
        // Redelivery: the same envelope again, and the same payment in a new envelope.
        try await send(first, to: debts, producer)
        try await send(Self.settlements[0], to: debts, producer)
        try await send(Self.settlements[2], to: debts, producer)
        // Same key, same partition: once this is applied, everything before it was.
        try await send(Sample.gruIssued(2, principal: 90_000, issuedOn: "2026-03-02"), to: debts, producer)
        try await waitUntil("the events applied", timeout: .seconds(60)) {
            try await fixture.scalar("SELECT count(*)::text FROM grus") == "2"
        }
        #expect(try await fixture.scalar("SELECT count(*)::text FROM settlements") == "3")
        #expect(try await fixture.scalar("SELECT count(*)::text FROM notifications") == "1")

        // March's repasse on Thu Apr 30.
        try await fixture.advance(to: Sample.date("2026-04-30"))
        let reader = try KafkaConsumer(config: kafka, groupID: "fns-test-reader-\(suffix)", topics: [output], logger: quietLogger)
        var transferred: [RepasseTransferred] = []
        try await collect(into: &transferred, from: reader, until: 1)
        #expect(transferred[0].repasseID == "2026-03/1" && transferred[0].total == Money(centavos: 152_150))

        // A March payment arriving in May: complementary repasse with May's run (Fri May 29), with April's.
        try await fixture.advance(to: Sample.date("2026-05-04"))
        try await send(Self.settlements[3], to: debts, producer)
        try await waitUntil("the late settlement recorded") {
            try await fixture.scalar("SELECT count(*)::text FROM settlements") == "4"
        }
        try await fixture.advance(to: Sample.date("2026-05-29"))
        try await collect(into: &transferred, from: reader, until: 3)
        let byID = Dictionary(uniqueKeysWithValues: transferred.map { ($0.repasseID, $0) })
        #expect(byID["2026-03/2"]?.kind == .complementary && byID["2026-03/2"]?.total == Money(centavos: 9_999))
        #expect(byID["2026-04/1"]?.kind == .regular && byID["2026-04/1"]?.total == Money(centavos: 70_000))
        #expect(byID["2026-04/1"]?.transferredOn == Sample.date("2026-05-29"))

        try await send(Self.settlements[4], to: debts, producer)
        try await waitUntil("the May settlement recorded") {
            try await fixture.scalar("SELECT count(*)::text FROM settlements") == "5"
        }
        try await reconcile(transferred: transferred)
        try await commands()
        try await collect(into: &transferred, from: reader, until: 4)
        #expect(transferred.last?.repasseID == "2026-05/1" && transferred.last?.trigger == .operatorRequest)
        try await reconcile(transferred: transferred)
        try await checkSchemas()
        try? await reader.close()
        try await publicPage()
    }

    /// Paid (what the test settled) = transferred (the repasse events on the broker) + pending,
    /// per collection month, to the centavo.
    private func reconcile(transferred: [RepasseTransferred]) async throws {
        let months = try await fixture.read { try FNSReports.reconciliation(on: $0) }
        let settled = Dictionary(grouping: Self.settlements, by: \.paidOn.yearMonth)
        #expect(Set(months.map(\.collectionMonth)) == Set(settled.keys))
        for month in months {
            let paid = Money.sum(settled[month.collectionMonth, default: []].map(\.total))
            let sent = Money.sum(transferred.filter { $0.collectionMonth == month.collectionMonth }.map(\.total))
            #expect(month.settled == paid, "\(month.collectionMonth)")
            #expect(month.transferred == sent, "\(month.collectionMonth)")
            #expect(paid == sent + month.pending, "\(month.collectionMonth)")
            #expect(month.reconciles)
        }
    }

    /// The repasses the service wrote to its outbox (what the relay published on the test's output
    /// topic, which stands for `ressus.fns`) validate against docs/asyncapi.yaml and docs/schemas/.
    private func checkSchemas() async throws {
        let topic = output
        let records = try await fixture.read { c in
            try c.query("""
                SELECT partition_key, headers::text, convert_from(payload, 'UTF8') FROM outbox WHERE topic = $1 ORDER BY seq
                """, [topic]).map { row in
                let stored = try JSONSerialization.jsonObject(with: Data(try row.decode(String.self, at: 1).utf8)) as? [[String: String]] ?? []
                return EventSchemaValidator.Record(
                    topic: Topics.fns.name, key: try row.decode(String.self, at: 0),
                    headers: Dictionary(stored.flatMap { $0.map { ($0.key, $0.value) } }) { _, last in last },
                    payload: Data(try row.decode(String.self, at: 2).utf8))
            }
        }
        #expect(records.count == 4 && records.allSatisfy { $0.headers["ce_type"] == RepasseTransferred.eventType.description })
        let outcome = try await EventSchemaValidator.validate(records)
        #expect(outcome.checked == records.count)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.map { "\($0.index) \($0.type ?? "?"): \($0.errors)" })")
    }

    /// The operator commands, as subprocesses on this schema.
    private func commands() async throws {
        let schema = ["--esquema", fixture.schema]
        let conciliar = try await ressus(["fns", "conciliar", "--eventos", "--topico", debts] + schema)
        #expect(conciliar.status == 0, "\(conciliar.error)")
        #expect(conciliar.output.contains("Nos eventos") && conciliar.output.contains("05/2026"), "\(conciliar.output)")
        #expect(!conciliar.output.contains("DIVERGENTE"), "\(conciliar.output)")
        let report = try EventJSON.decoder.decode(FNSReconciliationReport.self, from: Data(
            try await ressus(["fns", "conciliar", "--json", "--eventos", "--topico", debts] + schema).output.utf8))
        #expect(report.reconciles && report.onTopic?.count == 3)
        #expect(report.topic(Sample.month("2026-03")) == CountAmount(count: 3, amount: Money(centavos: 162_149)))
        // A topic without these settlements does not reconcile.
        let wrong = try await ressus(["fns", "conciliar", "--eventos", "--topico", output] + schema)
        #expect(wrong.status == 1 && wrong.output.contains("DIVERGENTE"), "\(wrong.output)\(wrong.error)")

        let demonstrativo = try await ressus(["fns", "demonstrativo", "--mes", "2026-03"] + schema)
        #expect(demonstrativo.status == 0, "\(demonstrativo.error)")
        #expect(demonstrativo.output.contains("Repasse 2026-03/2 (complementar"), "\(demonstrativo.output)")
        #expect(demonstrativo.output.contains("R$ 1.621,49"), "\(demonstrativo.output)")
        #expect(demonstrativo.output.contains("Repasse previsto (último dia útil do mês seguinte): 30/04/2026"))
        let json = try await ressus(["fns", "demonstrativo", "--mes", "03/2026", "--json"] + schema)
        let decoded = try EventJSON.decoder.decode(Demonstrativo.self, from: Data(json.output.utf8))
        let expected = try await fixture.read { try FNSReports.demonstrativo(month: Sample.month("2026-03"), on: $0) }
        #expect(decoded == expected)

        let dados = try await ressus(["dados-gerais", "--json"] + schema)
        #expect(dados.status == 0, "\(dados.error)")
        let figures = try EventJSON.decoder.decode(DadosGerais.self, from: Data(dados.output.utf8)).overall
        #expect(figures.identified == CountAmount(count: 4, amount: Money(centavos: 240_000)))
        #expect(figures.charged == CountAmount(count: 2, amount: Money(centavos: 240_000)))
        #expect(figures.paid.amount == Money(centavos: 234_999))
        #expect(figures.transferred == CountAmount(count: 3, amount: Money(centavos: 232_149)))
        let table = try await ressus(["dados-gerais"] + schema)
        #expect(table.output.contains("Índice de adimplência"), "\(table.output)")
        // (234.999 + 0) / 240.000 = 97,91625% → 97,92%.
        #expect(table.output.contains("97,92%"), "\(table.output)")

        let contabil = try await ressus(["fns", "contabil", "--mes", "2026-05"] + schema)
        #expect(contabil.status == 0, "\(contabil.error)")
        let balances = try JournalCSV.balances(contabil.output)
        #expect(Set(balances.keys) == ["PAG-s5", "REP-2026-03/2", "REP-2026-04/1"])
        #expect(balances.values.allSatisfy { $0.debit == $0.credit })

        // May is not over on May 29; on Jun 1 the operator may anticipate its repasse.
        let early = try await ressus(["fns", "repassar", "--mes", "2026-05"] + schema)
        #expect(early.status == 1)
        #expect(early.error.contains("ainda não terminou"), "\(early.error)")
        try await fixture.advance(to: Sample.date("2026-06-01"))
        let repassar = try await ressus(["fns", "repassar", "--mes", "2026-05"] + schema)
        #expect(repassar.status == 0, "\(repassar.error)")
        #expect(repassar.output.contains("Repasse 2026-05/1 (regular)"), "\(repassar.output)")
        #expect(repassar.output.contains("total R$ 50,33"), "\(repassar.output)")
        let invalid = try await ressus(["fns", "repassar", "--mes", "maio"] + schema)
        #expect(invalid.status == 1 && invalid.error.contains("--mes"), "\(invalid.error)")

        // `ressus status`: March (regular + complementary), April and May transferred, every settlement with them.
        let missing = "nao_existe_" + suffix
        let status = try await ressus(["status", "--esquema", "fns-transfer=\(fixture.schema)"]
            + ["intake", "deadlines", "debt-calculator", "report-publisher"].flatMap { ["--esquema", "\($0)=\(missing)"] })
        #expect(status.status == 0, "\(status.error)")
        for line in ["Repasses ao FNS (fns-transfer):", "  meses de arrecadação: repassado 3", "  repasses: complementar 1, regular 3",
                     "  liquidações: repassada \(Self.settlements.count)"] {
            #expect(status.output.contains(line + "\n"), "missing '\(line)' in:\n\(status.output)")
        }
    }

    /// The public page and its CSV over HTTP, then rendered by headless Chromium.
    private func publicPage() async throws {
        let pageURL = try await site.url("/publico/dados-gerais")
        let (body, response) = try await URLSession.shared.data(from: pageURL)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect((http.value(forHTTPHeaderField: "Content-Security-Policy") ?? "").contains("default-src 'none'"))
        #expect(http.value(forHTTPHeaderField: "X-Content-Type-Options") == "nosniff")
        #expect(http.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/html") == true)
        let html = String(decoding: body, as: UTF8.self)
        #expect(html.contains("<html lang=\"pt-BR\">") && !html.contains("<script"))

        let (csvData, csvResponse) = try await URLSession.shared.data(from: try await site.url("/publico/dados-gerais.csv"))
        #expect((csvResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Disposition")?.contains("dados-gerais.csv") == true)
        let csv = String(decoding: csvData, as: UTF8.self)
        #expect(csv.contains("total;repassados;repasses;4;2371,82"), "\(csv)")
        #expect(csv.contains("total;indice_adimplencia;percentual;;97,92"), "\(csv)")

        let dom = try await Chromium.run(["--dump-dom", pageURL.absoluteString])
        #expect(dom.contains("Dados Gerais do Ressarcimento ao SUS"))
        for chart in ["grafico-funil", "grafico-mensal"] {
            #expect(dom.contains("id=\"\(chart)\""), "chart \(chart) missing from the rendered DOM")
        }
        #expect(dom.components(separatedBy: "<rect").count > 8, "bars missing")
        #expect(dom.contains("97,92%"))
        let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("fns-page-\(suffix).png")
        defer { try? FileManager.default.removeItem(at: screenshot) }
        _ = try await Chromium.run(["--screenshot=\(screenshot.path)", "--window-size=1200,2200", pageURL.absoluteString])
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "screenshot of \(png.count) bytes")
    }

    private func send<E: DomainEvent>(_ event: E, to topic: String, _ producer: KafkaProducer) async throws {
        try await send(try EventEnvelope.wrapping(event, source: "/fns-test", time: fixture.clock.now), to: topic, producer)
    }

    private func send(_ envelope: EventEnvelope, to topic: String, _ producer: KafkaProducer) async throws {
        _ = try await producer.send(OutgoingMessage(
            topic: topic, key: envelope.partitionKey, value: Array(envelope.payload),
            headers: CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) }))
    }

    private func collect(into events: inout [RepasseTransferred], from reader: KafkaConsumer, until count: Int) async throws {
        var found = events
        try await waitUntil("\(count) RepasseTransferred on \(output)", timeout: .seconds(60)) {
            for message in try await reader.poll(maxMessages: 100, timeout: .milliseconds(500)) {
                let envelope = try CloudEventHeaders.decode(
                    headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
                if envelope.type == RepasseTransferred.eventType {
                    found.append(try envelope.decode(RepasseTransferred.self))
                }
            }
            return found.count >= count
        }
        #expect(found.count == count, "\(found.map(\.repasseID))")
        events = found
    }

    private func ressus(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments)
    }
}

/// Headless Chromium as a child process (output to a temporary file, polled: never blocks a thread).
enum Chromium {
    static func run(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fns-chromium-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appendingPathComponent("out.txt")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else { throw TestFailure("cannot create \(outputURL.path)") }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--user-data-dir=\(folder.appendingPathComponent("profile").path)"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw TestFailure("chromium still running after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard process.terminationStatus == 0 else { throw TestFailure("chromium exited with \(process.terminationStatus)") }
        return String(decoding: try Data(contentsOf: outputURL), as: UTF8.self)
    }
}
