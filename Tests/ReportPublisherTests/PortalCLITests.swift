import Foundation
import Kafka
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

/// `ressus portal conta criar|redefinir-senha` and `ressus portal reconstruir`, run as the built
/// executable against a schema of the test's own.
@Suite("ressus portal (CLI)", .serialized)
struct PortalCLITests {
    static func passwordFile(_ password: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rp-senha-\(UUID().uuidString)")
        try Data((password + "\n").utf8).write(to: url)
        return url
    }

    @Test("conta criar and redefinir-senha store only a scrypt hash and never print the password")
    func accounts() async throws {
        try await Fixture.with { fixture in
            let schema = ["--esquema", fixture.schema]
            let first = try Self.passwordFile("primeira-senha-longa")
            let second = try Self.passwordFile("segunda-senha-longa")
            let short = try Self.passwordFile("curta")
            defer { for url in [first, second, short] { try? FileManager.default.removeItem(at: url) } }

            let created = try await ChildProcess.run("ressus", ["portal", "conta", "criar", "--cnpj-raiz", "12.abc.345",
                                                                "--senha-arquivo", first.path] + schema)
            #expect(created.status == 0, "\(created.error)")
            #expect(created.output.contains("conta criada para a raiz de CNPJ 12ABC345"))
            #expect(!(created.output + created.error).contains("primeira-senha-longa"))
            let stored = try await fixture.pool.withConnection {
                try $0.query("SELECT password_hash FROM portal_accounts WHERE cnpj_root = '12ABC345'")[0].decode(String.self, at: 0)
            }
            #expect(stored.hasPrefix("scrypt$16384$8$1$") && !stored.contains("primeira"))

            let duplicate = try await ChildProcess.run("ressus", ["portal", "conta", "criar", "--cnpj-raiz", "12ABC345",
                                                                  "--senha-arquivo", second.path] + schema)
            #expect(duplicate.status == 1 && duplicate.error.contains("já existe conta"))
            let weak = try await ChildProcess.run("ressus", ["portal", "conta", "criar", "--cnpj-raiz", "99887766",
                                                             "--senha-arquivo", short.path] + schema)
            #expect(weak.status == 1 && weak.error.contains("ao menos 12 caracteres"))
            let badRoot = try await ChildProcess.run("ressus", ["portal", "conta", "criar", "--cnpj-raiz", "12AB",
                                                                "--senha-arquivo", first.path] + schema)
            #expect(badRoot.status == 1 && badRoot.error.contains("raiz de CNPJ inválida"))

            let reset = try await ChildProcess.run("ressus", ["portal", "conta", "redefinir-senha", "--cnpj-raiz", "12ABC345",
                                                              "--senha-arquivo", second.path] + schema)
            #expect(reset.status == 0, "\(reset.error)")
            let now = Date()
            let (old, new) = try await fixture.pool.withTransaction { c in
                (try PortalAccounts().login(root: "12ABC345", password: "primeira-senha-longa", now: now, on: c),
                 try PortalAccounts().login(root: "12ABC345", password: "segunda-senha-longa", now: now, on: c))
            }
            #expect(old == .invalid && new == .success)

            struct StatusOutput: Decodable {
                struct Report: Decodable { let contagens: ServiceStatus }
                let servicos: [Report]
            }
            let status = try await ChildProcess.run("ressus", ["status", "--json", "--esquema", "report-publisher=\(fixture.schema)"])
            #expect(status.status == 0, "\(status.error)")
            let reports = try JSONDecoder().decode(StatusOutput.self, from: Data(status.output.utf8)).servicos.map(\.contagens)
            let portal = try #require(reports.first { $0.service == ServiceDescriptor.reportPublisher.name })
            #expect(portal.schema == fixture.schema && portal.count("contas do portal", "cadastradas") == 1, "\(status.output)")
        }
    }

    @Test("reconstruir replays the topics into an emptied read model")
    func rebuild() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topic = "rp-test-cli-debts-\(suffix)"
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "report-publisher-tests")
        let admin = try KafkaAdmin(config: kafka, logger: quietLogger)
        try await admin.createTopics([TopicSpec(name: topic, partitions: 2)])
        defer { Task { try? await admin.deleteTopics([topic]) } }
        try await Fixture.with { fixture in
            let events = [
                try Events.operadora(registro: "341234", root: "12ABC345", name: "Saúde Exemplo Ltda."),
                try Events.gruIssued(Events.gruNumber(42), registro: "341234", principal: "1234,56", issuedOn: "2026-01-05",
                                     dueDate: "2026-01-20"),
            ]
            let producer = try KafkaProducer(config: kafka, logger: quietLogger)
            for envelope in events {
                _ = try await producer.send(OutgoingMessage(
                    topic: topic, key: envelope.partitionKey, value: Array(envelope.payload),
                    headers: CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) }))
            }
            await producer.close()
            // Something stale in the read model that no event supports: the rebuild removes it.
            try await fixture.apply([try Events.gruIssued(Events.gruNumber(43), registro: "341234", principal: "1,00",
                                                          issuedOn: "2026-01-05", dueDate: "2026-01-20")])
            let result = try await ChildProcess.run("ressus", ["portal", "reconstruir", "--esquema", fixture.schema,
                                                               "--topicos", topic], timeout: .seconds(90))
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.contains("modelo de leitura reconstruído: 2 mensagens lidas, 2 eventos aplicados"))
            let grus = try await fixture.pool.withConnection { c in
                try c.query("SELECT gru_number, principal FROM rm_grus").map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int64.self, at: 1))" }
            }
            #expect(grus == ["\(Events.gruNumber(42).value) 123456"])

            // `ressus status` counts the rebuilt read model (the other services: a schema that does not exist).
            let missing = "nao_existe_" + UUID().uuidString.prefix(8).lowercased()
            let status = try await ChildProcess.run("ressus", ["status", "--esquema", "report-publisher=\(fixture.schema)"]
                + ["intake", "deadlines", "debt-calculator", "fns-transfer"].flatMap { ["--esquema", "\($0)=\(missing)"] })
            #expect(status.status == 0, "\(status.error)")
            for line in ["Portal e relatórios (report-publisher):", "  operadoras no modelo de leitura: registradas 1",
                         "  atendimentos no modelo de leitura: nenhum", "  GRUs no modelo de leitura: emitida 1",
                         "  contas do portal: cadastradas 0", "  ciências pelo portal: enviadas 0"] {
                #expect(status.output.contains(line + "\n"), "missing '\(line)' in:\n\(status.output)")
            }
        }
    }
}
