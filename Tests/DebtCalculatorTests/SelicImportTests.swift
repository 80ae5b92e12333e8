import DebtCalculatorCore
import Foundation
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// `ressus selic importar|listar` as subprocesses against a private debt schema: the imported months
/// extend the table the position, payments and reissues use; a correction needs `--corrigir`; every
/// import that changes the table is published as `SelicRatesPublished` (read back from the broker).
@Suite(.serialized) struct SelicImportTests {
    /// Rates imported by the tests (percent per month). Made up for the test, as the Banco Central
    /// has not published these months in the seed; the seed's last month, 2026-07, is 1.22.
    static let firstFile = "month,rate_percent\n2026-08,1.18\n2026-09,1.05\n2026-10,1.10\n"
    /// Corrects 2026-10 (1.10 → 1.12), repeats 2026-09 unchanged and adds 2026-11.
    static let correctionFile = "month,rate_percent\n2026-09,1.05\n2026-10,1.12\n2026-11,1.02\n"

    @Test func importedMonthsMakeThePositionPaymentsAndReissueExact() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-06-15")) { fixture in
            let registro = String(Int.random(in: 100_000...999_999))
            // GRU 1: R$ 12.345,67 and GRU 2: R$ 10.000,00, both due (and accruing from) Tue 2026-06-30.
            try await fixture.apply(Sample.chargeable(abi: 1, registro: registro, firstDocument: 1, amounts: ["12345,67"],
                                                      originalDue: "2026-06-30", chargeableOn: "2026-06-15"))
            try await fixture.apply(Sample.chargeable(abi: 2, registro: registro, firstDocument: 2, amounts: ["10000,00"],
                                                      originalDue: "2026-06-30", chargeableOn: "2026-06-15"))
            let (g1, g2) = (Sample.gru(1), Sample.gru(2))
            let schema = ["--esquema", fixture.schema]
            let files = try TemporaryFiles()
            defer { files.remove() }

            // As of 2026-11-10 with the seed only: 2026-08..2026-10 are missing (provisional).
            // juros = SELIC 2026-07 (1.22) + 1% (November) = 2.22% × 12.345,67 = 274,0738… → R$ 274,07.
            let before = try await fixture.position(registro, asOf: "2026-11-10")
            let open1 = try #require(before.grus.first { $0.gru.value == g1 })
            #expect(before.provisional)
            #expect(open1.memo?.missingSelicMonths.map(\.description) == ["2026-08", "2026-09", "2026-10"])
            #expect(open1.juros == Sample.money("274,07"))
            #expect(before.selicTableVersion == SelicTable.seedVersion)
            // A reissue due 2026-11-20 needs those months: refused.
            let refusedReissue = try await fixture.request(.reissue(gru: try GRUNumber(g1), dueDate: Sample.date("2026-11-20")))
            #expect(!refusedReissue.accepted)
            #expect(refusedReissue.message.contains("08/2026"), "\(refusedReissue.message)")

            let imported = try await ressus(["selic", "importar", try files.write("selic-ago-out.csv", Self.firstFile)] + schema)
            #expect(imported.status == 0, "stderr: \(imported.error)")
            #expect(imported.output.contains("Meses novos: 08/2026 (1,18%), 09/2026 (1,05%), 10/2026 (1,10%)"), "\(imported.output)")
            let version1 = SelicTable.seedVersion + "+importacao-0001"
            #expect(imported.output.contains("tabela SELIC versão \(version1), até 10/2026"), "\(imported.output)")

            // Position as of 2026-11-10 (DOMAIN §5), GRU 1, A = R$ 12.345,67, V = 2026-06-30:
            // days = 133 → 0.33% × 133 = 43.89% > 20% cap → multa 20% = 2.469,134 → R$ 2.469,13;
            // juros = SELIC 2026-07..2026-10 (1.22 + 1.18 + 1.05 + 1.10 = 4.55) + 1% = 5.55% = 685,1846… → R$ 685,18;
            // total 12.345,67 + 2.469,13 + 685,18 = R$ 15.499,98.
            let position = try await ressus(["debitos", "posicao", "--operadora", registro, "--em", "2026-11-10", "--json"] + schema)
            #expect(position.status == 0, "stderr: \(position.error)")
            let after = try JSONDecoder().decode(DebtPosition.self, from: Data(position.output.utf8))
            let exact1 = try #require(after.grus.first { $0.gru.value == g1 })
            #expect(!after.provisional)
            #expect(exact1.provisional == false)
            #expect(exact1.multa == Sample.money("2469,13"))
            #expect(exact1.juros == Sample.money("685,18"))
            #expect(exact1.total == Sample.money("15499,98"))
            #expect(exact1.memo?.selicMonths.map(\.month.description) == ["2026-07", "2026-08", "2026-09", "2026-10"])
            #expect(exact1.memo?.selicTableVersion == version1)
            #expect(after.selicTableVersion == version1)
            let text = try await ressus(["debitos", "posicao", "--operadora", registro, "--em", "2026-11-10"] + schema)
            #expect(text.output.contains("= R$ 15.499,98"), "\(text.output)")
            #expect(!text.output.contains("provisório"), "\(text.output)")

            // Payment matching: GRU 2 (R$ 10.000,00) paid 2026-11-10 with multa 20% = R$ 2.000,00 +
            // juros 5.55% = R$ 555,00 → R$ 12.555,00 exactly due: em_atraso, no credit (with the seed only
            // it would be 10.000 + 2.000 + 222 = R$ 12.222,00 and this payment an excedente).
            try await fixture.pay(g2, "12555,00", on: "2026-11-10")
            let recorded = try #require(try await fixture.emitted(PaymentRecorded.self).last)
            #expect(recorded.classification == .late)
            #expect(recorded.credit == .zero)
            let settled = try #require(try await fixture.emitted(PaymentSettled.self).last)
            #expect(settled.multa == Sample.money("2000,00") && settled.juros == Sample.money("555,00"))

            // A file changing a published rate is refused whole without --corrigir.
            let correction = try files.write("selic-correcao.csv", Self.correctionFile)
            let refused = try await ressus(["selic", "importar", correction] + schema)
            #expect(refused.status == 1)
            #expect(refused.error.contains("10/2026: publicada 1,10%, arquivo 1,12%"), "\(refused.error)")
            #expect(refused.error.contains("Meses novos no arquivo: 11/2026 (1,02%)"), "\(refused.error)")
            #expect(refused.error.contains("--corrigir"), "\(refused.error)")
            #expect(try await fixture.scalar("SELECT count(*)::text FROM selic_imports") == "1")
            #expect(try await fixture.scalar("SELECT basis_points::text FROM selic_rates WHERE month = '2026-10'") == "110")

            let corrected = try await ressus(["selic", "importar", correction, "--corrigir"] + schema)
            #expect(corrected.status == 0, "stderr: \(corrected.error)")
            #expect(corrected.output.contains("Meses novos: 11/2026 (1,02%)"), "\(corrected.output)")
            #expect(corrected.output.contains("Correções: 10/2026: publicada 1,10%, arquivo 1,12%"), "\(corrected.output)")
            #expect(corrected.output.contains("1 já presente(s) com a mesma taxa"), "\(corrected.output)")
            // juros = 1.22 + 1.18 + 1.05 + 1.12 + 1 = 5.57% × 12.345,67 = 687,6538… → R$ 687,65.
            let recomputed = try await fixture.position(registro, asOf: "2026-11-10")
            let version2 = version1 + "+importacao-0002"
            #expect(recomputed.grus.first { $0.gru.value == g1 }?.juros == Sample.money("687,65"))
            #expect(recomputed.selicTableVersion == version2)

            // Reissue due Fri 2026-11-20 (143 days: multa 20% = R$ 2.469,13; juros 5.57% = R$ 687,65):
            // now accepted, the new GRU for 12.345,67 + 2.469,13 + 687,65 = R$ 15.502,45.
            let reissued = try await fixture.request(.reissue(gru: try GRUNumber(g1), dueDate: Sample.date("2026-11-20")))
            #expect(reissued.accepted, "\(reissued.message)")
            let issued = try #require(try await fixture.emitted(GRUIssued.self).last)
            #expect(issued.purpose == .reissue)
            #expect(issued.multa == Sample.money("2469,13") && issued.juros == Sample.money("687,65"))
            #expect(issued.amount == Sample.money("15502,45"))

            let listed = try await ressus(["selic", "listar", "--meses", "6"] + schema)
            #expect(listed.status == 0, "stderr: \(listed.error)")
            #expect(listed.output.contains("Tabela SELIC versão \(version2): 01/1995 a 11/2026"), "\(listed.output)")
            #expect(listed.output.contains("06/2026  1,12%  semente"), "\(listed.output)")
            #expect(listed.output.contains("08/2026  1,18%  importado (importacao-0001)"), "\(listed.output)")
            #expect(listed.output.contains("10/2026  1,12%  importado (importacao-0002)"), "\(listed.output)")
            #expect(!listed.output.contains("05/2026"), "\(listed.output)")
            #expect(listed.output.contains("importacao-0002 em "), "\(listed.output)")
            #expect(listed.output.contains("correções 2026-10 de 1,10% para 1,12%"), "\(listed.output)")
        }
    }

    @Test func aChargeAccruingBeforeItsDueDateAndAParcelamentoUseTheImportedMonths() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-11-10")) { fixture in
            let registro = String(Int.random(in: 100_000...999_999))
            let rates = try SelicTable.parseCSV(Self.firstFile)
            let imported = try await fixture.pool.withTransaction {
                try DebtSelic.importRates(rates, file: "teste.csv", allowingCorrections: false, time: Date(), on: $0)
            }
            #expect(imported.outcome == .recorded(publication: "importacao-0001"))
            // Accrual from the original due date 2026-06-30, GRU due Fri 2026-11-20 (143 days):
            // multa 20% × 12.345,67 = R$ 2.469,13; juros SELIC 2026-07..10 (4.55) + 1% = 5.55% = R$ 685,18.
            try await fixture.apply(Sample.chargeable(abi: 1, registro: registro, firstDocument: 1, amounts: ["12345,67"],
                                                      originalDue: "2026-06-30", paymentDue: "2026-11-20",
                                                      chargeableOn: "2026-11-10"))
            let issued = try #require(try await fixture.emitted(GRUIssued.self).last)
            #expect(issued.multa == Sample.money("2469,13") && issued.juros == Sample.money("685,18"))
            #expect(issued.amount == Sample.money("15499,98"))
            // Parcelamento today (2026-11-10): C = 12.345,67 + multa 20% (133 days) R$ 2.469,13 +
            // juros 5.55% R$ 685,18 = R$ 15.499,98 (with the seed only: 12.345,67 + 2.469,13 + 274,07).
            let plan = try await fixture.request(.parcelamento(registroANS: Sample.registro(registro), grus: [issued.gruNumber],
                                                               installments: 3))
            #expect(plan.accepted, "\(plan.message)")
            #expect(plan.result["consolidado"] == "15499.98", "\(plan.result)")
        }
    }

    @Test func importsArePublishedOnTheTopic() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        // A private stand-in for ressus.debts (the schema check maps it back, see DebtFixture).
        let topic = "\(DebtFixture.outputTopic)-selic-\(suffix)"
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "selic-tests")
        let admin = try KafkaAdmin(config: kafka, logger: quietLogger)
        try await admin.createTopics([TopicSpec(name: topic, partitions: 2)])
        do {
            try await DebtFixture.with(startingOn: Sample.date("2026-11-10")) { fixture in
                try await publishAndReadBack(fixture: fixture, kafka: kafka, topic: topic, suffix: String(suffix))
            }
        } catch {
            try? await admin.deleteTopics([topic, topic + ".DLT"])
            throw error
        }
        try? await admin.deleteTopics([topic, topic + ".DLT"])
    }

    private func publishAndReadBack(fixture: DebtFixture, kafka: KafkaConfig, topic: String, suffix: String) async throws {
        let files = try TemporaryFiles()
        defer { files.remove() }
        let options = ["--esquema", fixture.schema, "--topico", topic]
        let first = try files.write("primeiro.csv", Self.firstFile)
        let imported = try await ressus(["selic", "importar", first, "--json"] + options)
        #expect(imported.status == 0, "stderr: \(imported.error)")
        // The same months again: nothing new, nothing published.
        let again = try await ressus(["selic", "importar", first] + options)
        #expect(again.status == 0, "stderr: \(again.error)")
        #expect(again.output.contains("Nada a importar: os 3 mês(es) do arquivo já estão na tabela"), "\(again.output)")
        let corrected = try await ressus(["selic", "importar", try files.write("c.csv", Self.correctionFile), "--corrigir"] + options)
        #expect(corrected.status == 0, "stderr: \(corrected.error)")
        #expect(try await fixture.outboxCount() == 2)

        // The service's outbox relay publishes them; read them back from the broker.
        let relay = OutboxRelay(service: "selic-test", database: fixture.pool.configuration, kafka: kafka, logger: quietLogger)
        let running = RunningServices([relay], logger: quietLogger)
        var found: [SelicRatesPublished] = []
        var keys: Set<String> = []
        do {
            let reader = try KafkaConsumer(config: kafka, groupID: "selic-test-reader-\(suffix)", topics: [topic], logger: quietLogger)
            try await waitUntil("two SelicRatesPublished on \(topic)", timeout: .seconds(45)) {
                for message in try await reader.poll(maxMessages: 100, timeout: .milliseconds(500)) {
                    let envelope = try CloudEventHeaders.decode(
                        headers: message.headers.map { (name: $0.name, value: $0.value) }, key: message.key, value: message.value)
                    keys.insert(message.key.map { String(decoding: $0, as: UTF8.self) } ?? "")
                    if envelope.type == SelicRatesPublished.eventType { found.append(try envelope.decode(SelicRatesPublished.self)) }
                }
                return found.count >= 2
            }
            try? await reader.close()
        } catch {
            try? await running.stop()
            throw error
        }
        try await running.stop()
        #expect(found.count == 2)
        #expect(keys == ["selic"])
        let rates = { (e: SelicRatesPublished) in e.rates.map { "\($0.month)=\($0.rate?.decimalString ?? "-")" } }
        #expect(found.first?.version == "importacao-0001")
        #expect(found.first.map(rates) == ["2026-08=1.18", "2026-09=1.05", "2026-10=1.10"])
        #expect(found.last?.version == "importacao-0002")
        #expect(found.last.map(rates) == ["2026-10=1.12", "2026-11=1.02"])
    }

    /// Runs `ressus`; never blocks a cooperative thread.
    func ressus(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments)
    }
}

/// Files written for one test in a fresh temporary directory.
struct TemporaryFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("selic-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name`; returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
