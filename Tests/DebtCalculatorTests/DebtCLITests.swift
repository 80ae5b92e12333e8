import DebtCalculatorCore
import Foundation
import Models
import Runtime
import TestSupport
import Testing

/// The debt commands as subprocesses against a private debt schema whose scheduler (the service's
/// part) runs in this process.
@Suite struct DebtCLITests {
    @Test func parcelamentoSuspensaoAndPositionThroughTheCLI() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-16")) { fixture in
            let registro = "777777"
            try await fixture.apply(Sample.chargeable(abi: 1, registro: registro, firstDocument: 1, amounts: ["30000,00"]))
            try await fixture.apply(Sample.chargeable(abi: 2, registro: registro, firstDocument: 2, amounts: ["10000,00"]))
            let (g1, g2) = (Sample.gru(1), Sample.gru(2))
            let scheduler = fixture.scheduler
            let service = Task { try await scheduler.run() }
            defer { service.cancel() }
            let schema = ["--esquema", fixture.schema, "--tempo-limite", "30"]

            // C = R$ 30.000,00 on its due date: at most 30 installments.
            let tooMany = try await Self.run(["parcelamento", "solicitar", "--operadora", registro, "--gru", g1,
                                              "--parcelas", "31"] + schema)
            #expect(tooMany.status == 1)
            #expect(tooMany.error.contains("o permitido é de 1 a 30"), "\(tooMany.error)")
            let granted = try await Self.run(["parcelamento", "solicitar", "--operadora", registro, "--gru", g1,
                                              "--parcelas", "3", "--json"] + schema)
            #expect(granted.status == 0, "stderr: \(granted.error)")
            let answer = try JSONDecoder().decode([String: String].self, from: Data(granted.output.utf8))
            #expect(answer["aceito"] == "sim" && answer["parcelamento"] == "PARC-777777-1", "\(granted.output)")
            #expect(answer["consolidado"] == "30000.00")

            let listed = try await Self.run(["parcelamento", "listar", "--operadora", registro] + schema)
            #expect(listed.status == 0, "stderr: \(listed.error)")
            #expect(listed.output.contains("PARC-777777-1: solicitado, consolidado R$ 30.000,00 em 16/03/2026, 3 parcela(s)"),
                    "\(listed.output)")
            #expect(listed.output.contains("parcela 1: vence 31/03/2026, base R$ 10.000,00, emitida, GRU \(Sample.gru(3))"),
                    "\(listed.output)")
            #expect(listed.output.contains("parcela 3: vence 29/05/2026, base R$ 10.000,00, prevista"), "\(listed.output)")

            let suspended = try await Self.run(["suspensao", "registrar", "--gru", g2, "--processo", "123-45"] + schema)
            #expect(suspended.status == 0, "stderr: \(suspended.error)")
            #expect(suspended.output.contains("suspensa judicialmente em 16/03/2026 (processo 123-45)"), "\(suspended.output)")
            let position = try await Self.run(["debitos", "posicao", "--operadora", registro, "--em", "2026-03-16"] + schema)
            #expect(position.status == 0, "stderr: \(position.error)")
            #expect(position.output.contains("\(g1)  ABI 1  venc. 16/03/2026  principal R$ 30.000,00  parcelada"), "\(position.output)")
            #expect(position.output.contains("suspensa judicialmente  em aberto R$ 10.000,00 + multa R$ 0,00 + juros R$ 0,00 = R$ 10.000,00"),
                    "\(position.output)")
            let lifted = try await Self.run(["suspensao", "levantar", "--gru", g2, "--processo", "123-45"] + schema)
            #expect(lifted.status == 0, "stderr: \(lifted.error)")
            #expect(lifted.output.contains("situação: emitida"), "\(lifted.output)")

            // Summary: GRU 1 parcelada (R$ 30.000,00), GRU 2 and installment 1 emitidas (R$ 10.000,00 each).
            let summary = try await Self.run(["debitos", "resumo", "--em", "2026-03-16"] + schema)
            #expect(summary.status == 0, "stderr: \(summary.error)")
            #expect(summary.output.contains("emitida: 2 GRU(s), principal R$ 20.000,00, total atualizado R$ 20.000,00"),
                    "\(summary.output)")
            #expect(summary.output.contains("parcelada: 1 GRU(s), principal R$ 30.000,00, pago R$ 0,00"), "\(summary.output)")
            #expect(summary.output.contains("Parcelamentos: solicitado 1"), "\(summary.output)")

            let listed2 = try await Self.run(["gru", "listar", "--situacao", "emitida", "--json"] + schema)
            #expect(listed2.status == 0, "stderr: \(listed2.error)")
            let open = try JSONDecoder().decode(GRUListing.self, from: Data(listed2.output.utf8))
            #expect(open.grus.map(\.gru.value) == [g2, Sample.gru(3)])
            #expect(open.grus.map(\.purpose) == [.charge, .installment])
            let badState = try await Self.run(["gru", "listar", "--situacao", "aberta"] + schema)
            #expect(badState.status == 1)
            #expect(badState.error.contains("--situacao deve ser uma de: emitida"), "\(badState.error)")

            let badNumber = try await Self.run(["gru", "reemitir", "--gru", "123"] + schema)
            #expect(badNumber.status == 1)
            #expect(badNumber.error.contains("--gru:"), "\(badNumber.error)")

            // `ressus status`: the debt calculator's counts from this schema (the others: schemas that do not exist).
            let missing = "nao_existe_" + UUID().uuidString.prefix(8).lowercased()
            let status = try await Self.run(["status", "--esquema", "debt-calculator=\(fixture.schema)"]
                + ["intake", "deadlines", "report-publisher", "fns-transfer"].flatMap { ["--esquema", "\($0)=\(missing)"] })
            #expect(status.status == 0, "stderr: \(status.error)")
            for line in ["Cobrança (debt-calculator):", "  cobranças: com_gru 2", "  GRUs: emitida 2, parcelada 1",
                         "  pagamentos: nenhum", "  parcelamentos: solicitado 1", "  CADIN: grus_inscritas 0, operadoras_inscritas 0",
                         // Accepted: parcelamento, suspensão, levantamento; refused: 31 installments.
                         "  pedidos do operador: aceito 3, recusado 1",
                         // CADIN and dívida ativa of both charge GRUs (checked when due); installments 2 and 3 to
                         // issue and 1 to 3 to check on their due dates.
                         "  etapas agendadas: debt.cadin 2, debt.divida-ativa 2, debt.parcela 5"] {
                #expect(status.output.contains(line + "\n"), "missing '\(line)' in:\n\(status.output)")
            }
            #expect(status.output.contains("Repasses ao FNS (fns-transfer): não iniciado (esquema \(missing) inexistente)"),
                    "\(status.output)")
        }
    }

    /// Runs `ressus`; never blocks a cooperative thread (the scheduler under test needs them).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments)
    }
}
