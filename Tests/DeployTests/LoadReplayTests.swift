import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import Testing

/// `deploy/local/carga.sh` generates a small load and replays it with `ressus carga reproduzir`
/// through the five built services on an isolated broker and database, under the simulated clock:
/// ciências, impugnações, decisions and recursos are filed, every atendimento ends final, GRUs reach
/// the portal, payments (on time, late, partial, first installments of parcelamentos) reach the FNS,
/// unpaid GRUs reach CADIN, and the figures are written as JSON and SVG.
@Suite(.serialized) struct LoadReplayTests {
    @Test func aSmallReplayReconcilesAndWritesItsResults() async throws {
        var environment = try TestEnvironment.required()
        environment["RESSUS_BIN_DIR"] = try BuiltProducts.executable("ressus").deletingLastPathComponent().path
        let id = "carga_test_" + UUID().uuidString.prefix(8).lowercased()
        let results = FileManager.default.temporaryDirectory.appendingPathComponent(id)
        environment["RESSUS_CARGA_ID"] = id
        environment["RESSUS_CARGA_RESULTS"] = results.path
        defer { try? FileManager.default.removeItem(at: results) }
        let run = try await ScriptProcess.run("deploy/local/carga.sh", ["600", "25"], environment: environment, timeout: .seconds(900))
        _ = try? await ScriptProcess.run("deploy/local/carga.sh", ["clean"], environment: environment, timeout: .seconds(60))
        #expect(run.status == 0, "deploy/local/carga.sh failed:\n\(run.output)")
        #expect(run.output.contains("Tudo conciliado."), "\(run.output)")
        // Live progress (counts, rates and backlog) went to standard error while the stages ran.
        #expect(run.output.contains("recebidos") && run.output.contains("a consumir"), "\(run.output)")
        // The backlog came from the consumers' lag on the broker, not from scanning every inbox.
        #expect(run.output.contains("a consumir (lag no broker)"), "\(run.output)")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: results.appendingPathComponent("resultado.json"))) as? [String: Any]
        let result = try #require(json?["result"] as? [String: Any])
        #expect(result["atendimentos"] as? Int == 600)
        let reconciliation = try #require(result["reconciliation"] as? [String: Any])
        let checks = try #require(reconciliation["checks"] as? [[String: Any]])
        #expect(checks.count >= 30)
        for check in checks {
            #expect(check["left"] as? Int == check["right"] as? Int, "\(check)")
        }
        // Every path of the cycle was taken, not skipped: explicit ciências, impugnações and recursos
        // (carga.sh generates them), late and partial payments, parcelamentos, CADIN.
        for prefix in ["ciências expressas", "impugnações (impugnacoes.csv)", "recursos (impugnacoes.csv)",
                       "anulados", "pagamentos em atraso", "GRUs pagas em parte", "parcelamentos pedidos",
                       "GRUs não quitadas após o prazo do CADIN"] {
            let check = checks.first { ($0["name"] as? String)?.hasPrefix(prefix) == true }
            #expect((check?["left"] as? Int ?? 0) > 0, "\(prefix): \(String(describing: check))")
        }
        // Every atendimento reached the deadlines service and a final state; GRUs were issued and paid.
        let latencies = try #require(result["latencies"] as? [[String: Any]])
        #expect(latencies.count == 4)
        for path in latencies { #expect((path["count"] as? Int ?? 0) > 0, "\(path)") }
        let memory = try #require(result["peakMemoryKiB"] as? [String: Int])
        #expect(Set(memory.keys) == ["intake", "deadlines", "debt-calculator", "report-publisher", "fns-transfer"])
        #expect((json?["ratioToCeiling"] as? Double ?? 0) > 0)
        let stages = try #require(result["stages"] as? [[String: Any]])
        #expect(stages.contains { ($0["name"] as? String)?.hasPrefix("pagamentos") == true && ($0["items"] as? Int ?? 0) > 0 })
        #expect(stages.contains { ($0["name"] as? String)?.hasPrefix("decisões e recursos") == true && ($0["items"] as? Int ?? 0) > 0 })

        let svg = try String(contentsOf: results.appendingPathComponent("resultado.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 >= 5, "throughput and latency series are drawn")
        // The SVG is well-formed XML.
        #expect(XMLParser(data: Data(svg.utf8)).parse())
    }
}
