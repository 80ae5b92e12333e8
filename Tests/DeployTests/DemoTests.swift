import Foundation
import TestSupport
import Testing

/// `make demo` (deploy/local/demo.sh) runs a full billing cycle on the five built services under the
/// simulated clock, and is deterministic: `deploy/local/demo-check.sh` runs it twice, each from a
/// clean state (its own broker and database), and fails when the two summaries differ. The summary
/// must show every path of the cycle the demo drives.
@Suite(.serialized) struct DemoTests {
    @Test func twoRunsOfTheDemoPrintTheSameSummaryCoveringEveryPath() async throws {
        var environment = try TestEnvironment.required()
        environment["RESSUS_BIN_DIR"] = try BuiltProducts.executable("ressus").deletingLastPathComponent().path
        let id = "demo_test_" + UUID().uuidString.prefix(8).lowercased()
        environment["RESSUS_DEMO_CHECK_ID"] = id
        let result = try await ScriptProcess.run(
            "deploy/local/demo-check.sh", [], environment: environment, timeout: .seconds(900))
        #expect(result.status == 0, "deploy/local/demo-check.sh failed:\n\(result.output)")
        #expect(result.output.contains("the two runs printed the same summary"), "\(result.output)")

        let summaryFile = ScriptProcess.packageRoot.appendingPathComponent(".local/run/\(id)_1.resumo.txt")
        let summary = try String(contentsOf: summaryFile, encoding: .utf8)
        defer {
            for run in 1...2 {
                for suffix in ["out", "resumo.txt"] {
                    try? FileManager.default.removeItem(at: ScriptProcess.packageRoot
                        .appendingPathComponent(".local/run/\(id)_\(run).\(suffix)"))
                }
            }
        }
        // The paths the demo drives (deploy/local/demo.sh): payments on time, late and partial, one
        // parcelamento granted, one suspensão, CADIN and dívida ativa, a held small charge, the two
        // monthly repasses, impugnações accepted and one refused, every kind of decision, and the FNS
        // reconciliation (the demo fails when a month does not reconcile).
        for line in [
            "paga com atraso: 3 GRU(s)", "parcelada: 1 GRU(s)", "suspensa judicialmente: 1 GRU(s)",
            "inscrita em dívida ativa: 2 GRU(s)", "em_dia: 3,", "em_atraso: 3,", "parcial: 1,",
            "Parcelamentos: deferido 1", "CADIN: 2 GRU(s)", "Cobranças pequenas acumuladas (RN 533/2022): 1, R$ 0,50",
            "notificações: prazo_encerrado 6", "atendimentos: anulado 2, cobravel 14", "impugnações: aceita 6, recusada 1",
            "recurso_deferida 1, recurso_indeferida 1, recurso_parcial 1", "Repasse 2026-06/1 (regular", "Repasse 2026-07/1 (regular",
            "Pendente (0 pagamentos)",
            // fns conciliar --eventos: paid = transferred + pending = settled on the topic, per month.
            "registrado = repassado + pendente = liquidado nos eventos",
        ] {
            #expect(summary.contains(line), "summary lacks '\(line)':\n\(summary)")
        }
        #expect(!summary.contains("DIVERGENTE"), "a month does not reconcile:\n\(summary)")
    }
}
