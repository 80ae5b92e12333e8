import DeadlinesCore
import Foundation
import Models
import Runtime
import TestSupport
import Testing

/// `ressus ciencia registrar` and `ressus impugnacao registrar` as subprocesses, against a private
/// deadlines schema whose scheduler (the service's part) runs in this process.
@Suite struct DeadlinesCLITests {
    @Test func cienciaAndImpugnacaoThroughTheCLI() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05")) { fixture in
            let documents = (1...2).map { Sample.documentNumber($0, prefix: "36") }
            let atendimentos = documents.map { Sample.atendimento($0, amount: 90_000) }
            try await fixture.apply(Sample.issued(abi: 12, registro: "135790", availableOn: "2026-02-05",
                                                  atendimentos: atendimentos, batchCount: 1))
            try await fixture.apply(Sample.batch(abi: 12, registro: "135790", number: 1, atendimentos))
            try await fixture.advance(to: Sample.date("2026-02-09"))
            let scheduler = fixture.scheduler
            let service = Task { try await scheduler.run() }
            defer { service.cancel() }
            let schema = ["--esquema", fixture.schema, "--tempo-limite", "30"]

            let ciencia = try await Self.run(["ciencia", "registrar", "--abi", "12", "--operadora", "135790",
                                              "--data", "09/02/2026"] + schema)
            #expect(ciencia.status == 0, "stderr: \(ciencia.error)")
            #expect(ciencia.output.contains("Ciência expressa em 09/02/2026"), "\(ciencia.output)")
            #expect(ciencia.output.contains("Prazo final para impugnação: 11/03/2026"), "\(ciencia.output)")

            let again = try await Self.run(["ciencia", "registrar", "--abi", "12", "--operadora", "135790",
                                            "--data", "2026-02-08"] + schema)
            #expect(again.status == 1)
            #expect(again.error.contains("ciência já registrada em 09/02/2026"), "\(again.error)")

            let impugnacao = try await Self.run(["impugnacao", "registrar", "--abi", "12", "--operadora", "135790",
                                                 "--atendimento", documents[0], "--fundamento", "técnico",
                                                 "--texto", "Beneficiário sem cobertura"] + schema)
            #expect(impugnacao.status == 0, "stderr: \(impugnacao.error)")
            #expect(impugnacao.output.contains("aceita em 09/02/2026"), "\(impugnacao.output)")

            let noValue = try await Self.run(["impugnacao", "decidir", "--atendimento", documents[0], "--decisao", "parcial"] + schema)
            #expect(noValue.status == 1)
            #expect(noValue.error.contains("a decisão parcial exige --valor"), "\(noValue.error)")
            let decided = try await Self.run(["impugnacao", "decidir", "--atendimento", documents[0], "--decisao", "parcial",
                                              "--valor", "500,00"] + schema)
            #expect(decided.status == 0, "stderr: \(decided.error)")
            #expect(decided.output.contains("parcialmente deferida, valor R$ 500,00"), "\(decided.output)")
            // Ciência of the decision on Mon Feb 9: recurso until Thu Feb 19.
            let decisionCiencia = try await Self.run(["ciencia", "registrar", "--decisao", documents[0], "--data", "2026-02-09"] + schema)
            #expect(decisionCiencia.status == 0, "stderr: \(decisionCiencia.error)")
            #expect(decisionCiencia.output.contains("Prazo final para recurso: 19/02/2026"), "\(decisionCiencia.output)")
            let recurso = try await Self.run(["recurso", "registrar", "--abi", "12", "--operadora", "135790",
                                              "--atendimento", documents[0], "--texto", "Valor ainda indevido"] + schema)
            #expect(recurso.status == 0, "stderr: \(recurso.error)")
            #expect(recurso.output.contains("recurso do atendimento \(documents[0]) aceito"), "\(recurso.output)")
            let recursoDecided = try await Self.run(["recurso", "decidir", "--atendimento", documents[0], "--decisao", "indeferida"] + schema)
            #expect(recursoDecided.status == 0, "stderr: \(recursoDecided.error)")

            // After the window (ends Mar 11): refused, recorded as refused.
            service.cancel()
            _ = try? await service.value
            try await fixture.advance(to: Sample.date("2026-03-12"))
            let restarted = Task { try await scheduler.run() }
            defer { restarted.cancel() }
            let late = try await Self.run(["impugnacao", "registrar", "--abi", "12", "--operadora", "135790",
                                           "--atendimento", documents[1], "--fundamento", "administrativo",
                                           "--texto", "Fora do prazo"] + schema)
            #expect(late.status == 1)
            #expect(late.error.contains("impugnação intempestiva"), "\(late.error)")
            #expect(late.error.contains("terminou em 11/03/2026"), "\(late.error)")
            #expect(try await fixture.scalar("SELECT status FROM impugnacoes WHERE document = $1", [documents[1]]) == "recusada")

            let invalid = try await Self.run(["impugnacao", "registrar", "--abi", "12", "--operadora", "135790",
                                              "--atendimento", documents[1], "--fundamento", "outro", "--texto", "x"] + schema)
            #expect(invalid.status == 1)
            #expect(invalid.error.contains("--fundamento deve ser tecnico ou administrativo"), "\(invalid.error)")

            let status = try await Self.run(["status", "--esquema-prazos", fixture.schema])
            #expect(status.status == 0, "stderr: \(status.error)")
            // The recurso decision (Feb 9) went tacit on Feb 19 and released the first atendimento too.
            #expect(status.output.contains("atendimentos: cobravel 2"), "\(status.output)")
            #expect(status.output.contains("decisões: impugnacao_parcial 1, recurso_indeferida 1"), "\(status.output)")
            #expect(status.output.contains("impugnações: aceita 1, recusada 1"), "\(status.output)")
            #expect(status.output.contains("prazos agendados: nenhum"), "\(status.output)")
        }
    }

    /// Runs `ressus`; never blocks a cooperative thread (the scheduler under test needs them).
    /// An APAC notified for two competências: `--competencia` picks one; without it the request is
    /// refused as ambiguous; an invalid value is refused by the CLI itself.
    @Test func competenciaOfAnAPACThroughTheCLI() async throws {
        try await DeadlinesFixture.with(startingOn: Sample.date("2026-02-05")) { fixture in
            let document = Sample.documentNumber(1, prefix: "38")
            var october = Sample.atendimento(document, amount: 90_000)
            october.kind = .apac
            var november = october
            november.competencia = try YearMonth(parsing: "2025-11")
            try await fixture.apply(Sample.issued(abi: 13, registro: "135791", availableOn: "2026-02-05",
                                                  atendimentos: [october, november], batchCount: 1))
            try await fixture.apply(Sample.batch(abi: 13, registro: "135791", number: 1, [october, november]))
            // A decision becomes final (and releases) only once the notification's ciência fixed the due date.
            #expect(try await fixture.request(.ciencia(abi: Sample.abi(13), registroANS: Sample.registro("135791"),
                                                       date: Sample.date("2026-02-05"))).accepted)
            let scheduler = fixture.scheduler
            let service = Task { try await scheduler.run() }
            defer { service.cancel() }
            let schema = ["--esquema", fixture.schema, "--tempo-limite", "30"]
            let target = ["impugnacao", "registrar", "--abi", "13", "--operadora", "135791", "--atendimento", document,
                          "--fundamento", "tecnico", "--texto", "Procedimento não realizado"]

            let ambiguous = try await Self.run(target + schema)
            #expect(ambiguous.status == 1)
            #expect(ambiguous.error.contains("é ambíguo") && ambiguous.error.contains("--competencia AAAA-MM"), "\(ambiguous.error)")
            let invalid = try await Self.run(target + ["--competencia", "2025-13"] + schema)
            #expect(invalid.status == 1 && invalid.error.contains("--competencia"), "\(invalid.error)")
            let filed = try await Self.run(target + ["--competencia", "2025-11"] + schema)
            #expect(filed.status == 0, "stderr: \(filed.error)")
            #expect(filed.output.contains("\(document) (competência 2025-11) aceita"), "\(filed.output)")
            let decided = try await Self.run(["impugnacao", "decidir", "--atendimento", document, "--competencia", "2025-11",
                                              "--decisao", "deferida"] + schema)
            #expect(decided.status == 0, "stderr: \(decided.error)")
            let ciencia = try await Self.run(["ciencia", "registrar", "--decisao", document, "--competencia", "2025-11",
                                              "--data", "2026-02-05"] + schema)
            #expect(ciencia.status == 0, "stderr: \(ciencia.error)")
            #expect(try await fixture.scalar("""
                SELECT string_agg(competencia || ':' || state, ',' ORDER BY competencia) FROM atendimentos WHERE document = $1
                """, [document]) == "2025-10:notificado,2025-11:anulado")
        }
    }

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments)
    }
}
