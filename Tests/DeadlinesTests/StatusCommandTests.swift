import Foundation
import TestSupport
import Testing

/// `ressus status` without running services: a schema that does not exist yet, and a bad option.
/// (Counts of a real flow are checked in `IntakeToChargeableEndToEndTests`.)
@Suite struct StatusCommandTests {
    @Test func aServiceWhoseSchemaDoesNotExistIsShownAsNotStarted() async throws {
        let missing = "nao_existe_" + UUID().uuidString.prefix(8).lowercased()
        let text = try await ChildProcess.run("ressus", ["status", "--esquema", "intake=\(missing)", "--esquema", "deadlines=\(missing)_p"])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("Recepção (intake): não iniciado (esquema \(missing) inexistente)"), "\(text.output)")
        #expect(text.output.contains("Prazos (deadlines): não iniciado (esquema \(missing)_p inexistente)"), "\(text.output)")

        let all = ["intake", "deadlines", "debt-calculator", "report-publisher", "fns-transfer"]
        let json = try await ChildProcess.run("ressus", ["status", "--json"] + all.flatMap { ["--esquema", "\($0)=\(missing)"] })
        #expect(json.status == 0, "\(json.error)")
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let services = object?["servicos"] as? [[String: Any]] ?? []
        #expect(services.map { ($0["contagens"] as? [String: Any])?["servico"] as? String } == all, "\(json.output)")
        #expect(services.allSatisfy { $0["iniciado"] as? Bool == false }, "\(json.output)")

        // The services' titles, in the order of the billing cycle (the schemas accepted by name or schema).
        let text2 = try await ChildProcess.run("ressus", ["status", "--esquema", "intake=\(missing)", "--esquema", "deadlines=\(missing)",
                                                         "--esquema", "debt_calculator=\(missing)", "--esquema", "report_publisher=\(missing)",
                                                         "--esquema", "fns_transfer=\(missing)"])
        #expect(text2.status == 0, "\(text2.error)")
        let titles = ["Recepção (intake)", "Prazos (deadlines)", "Cobrança (debt-calculator)", "Portal e relatórios (report-publisher)",
                      "Repasses ao FNS (fns-transfer)"]
        #expect(text2.output.split(separator: "\n").map(String.init)
            == titles.map { "\($0): não iniciado (esquema \(missing) inexistente)" }, "\(text2.output)")

        let bad = try await ChildProcess.run("ressus", ["status", "--esquema", "cobranca=x"])
        #expect(bad.status == 1)
        #expect(bad.error.contains("serviço 'cobranca' desconhecido"), "\(bad.error)")
    }
}
