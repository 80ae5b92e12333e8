import Foundation
import Models
import Runtime
import TestSupport
import Testing

/// Issue 5 end to end: an ABI for three operadoras imported with the CLI, notified by the intake,
/// followed by the deadlines service through ciência (explicit and tacit), impugnações (on time and
/// late), decisions (deferida, parcial, indeferida), recursos and their decisions, with the shared
/// simulated clock advanced by `ressus relogio avancar` past every deadline. Every atendimento must
/// come out of `AtendimentosChargeable` on the deadlines topic exactly once, chargeable or annulled,
/// with the values and dates below, which are computed by hand from DOMAIN §2-4 (never by the code
/// under test).
@Suite struct IntakeToChargeableEndToEndTests {
    static let abi = "57"
    static let a = "123456", b = "234567", c = "345678"

    /// The expected release of one atendimento.
    struct Expected: Equatable, CustomStringConvertible {
        let registro: String
        let outcome: String
        let original: Int64
        let final: Int64
        let chargeableOn: String
        let originalDue: String
        let paymentDue: String
        var description: String {
            "\(registro) \(outcome) \(original)→\(final) chargeable \(chargeableOn) due \(originalDue)/\(paymentDue)"
        }
    }

    // Calendar facts used below (2026): Easter is Apr 5, so Corpus Christi (Easter + 60, an ANS closed
    // day by policy) is Thu Jun 4; Tiradentes is Tue Apr 21. Weekdays: Apr 18 Sat, Apr 20 Mon, Apr 22
    // Wed, Apr 30 Thu, May 20 Wed, May 22 Fri, May 30 Sat, Jun 1 Mon, Jun 6 Sat, Jun 8 Mon, Jun 11 Thu,
    // Jun 16 Tue, Jun 21 Sun, Jun 22 Mon, Jun 26 Fri.
    //
    // The ABI is imported on Sat Apr 18: notifications are available on the next business day, Mon
    // Apr 20 (DOMAIN §3). Tacit ciência = Apr 20 + 10 = Thu Apr 30.
    //
    // Operadora A (123456): explicit ciência dated Tue Apr 21, a holiday, so the count starts on Wed
    // Apr 22; Apr 22 + 30 = Fri May 22 = last day to impugn. Original due date = May 22 + 15 = Sat
    // Jun 6 → Mon Jun 8. The window closes when May 23 begins: not impugned atendimentos are chargeable
    // on Sat May 23.
    // Operadora B (234567): no ciência → tacit on Thu Apr 30; Apr 30 + 30 = Sat May 30 → Mon Jun 1.
    // Original due = Jun 1 + 15 = Tue Jun 16. Window closes when Jun 2 begins.
    // Operadora C (345678): explicit ciência dated Mon Apr 20 (the availability day); Apr 20 + 30 = Wed
    // May 20. Original due = May 20 + 15 = Thu Jun 4 (Corpus Christi) → Fri Jun 5. Chargeable May 21.
    //
    // Decisions are all made (and recursos decided) on Mon Jun 1. A final decision's GRU falls due 15
    // days after ciência of that decision (Jun 1 + 15 = Tue Jun 16 for explicit ciência on Jun 1;
    // tacit ciência is Jun 1 + 10 = Thu Jun 11, then Jun 11 + 15 = Fri Jun 26), while late charges
    // accrue from the notification's original due date (policy flag on, DOMAIN §4).
    // Recurso window: 10 days from ciência of the first decision (Jun 1 → Thu Jun 11, closing when Jun
    // 12 begins; tacit Jun 11 → Sun Jun 21 → Mon Jun 22, closing when Jun 23 begins).
    //
    // Amounts: IVR 1.5 × SUS value, rounded half-up to the centavo (DOMAIN §2), in centavos.
    static let expected: [String: Expected] = [
        // A1: R$ 1534.20 × 1.5 = 2301.30; not impugned.
        "3526000000101": Expected(registro: a, outcome: "nao_impugnado", original: 230_130, final: 230_130,
                                  chargeableOn: "2026-05-23", originalDue: "2026-06-08", paymentDue: "2026-06-08"),
        // A2: 2150.75 × 1.5 = 3226.125 → 3226.13; impugned Apr 22, deferida Jun 1, explicit ciência
        // Jun 1: final, annulled that day.
        "3526000000102": Expected(registro: a, outcome: "deferida", original: 322_613, final: 0,
                                  chargeableOn: "2026-06-01", originalDue: "2026-06-08", paymentDue: "2026-06-16"),
        // A3: 689.00 × 1.5 = 1033.50; impugned Apr 22, parcial R$ 800,00 on Jun 1, explicit ciência
        // Jun 1, no recurso: final when the recurso window closes (Jun 12).
        "3526000000103": Expected(registro: a, outcome: "parcialmente_deferida", original: 103_350, final: 80_000,
                                  chargeableOn: "2026-06-12", originalDue: "2026-06-08", paymentDue: "2026-06-16"),
        // A4: 100.01 × 1.5 = 150.015 → 150.02; its impugnação comes on Jun 1, after the window (May 22):
        // refused and recorded; the atendimento was released with A1 when the window closed.
        "3526000000104": Expected(registro: a, outcome: "nao_impugnado", original: 15_002, final: 15_002,
                                  chargeableOn: "2026-05-23", originalDue: "2026-06-08", paymentDue: "2026-06-08"),
        // B1: 4210.10 × 1.5 = 6315.15; impugned Jun 1 (the window's last day, on time), indeferida,
        // recurso, recurso indeferida, explicit ciência of it Jun 1: the first decision stands.
        "3526000000201": Expected(registro: b, outcome: "indeferida", original: 631_515, final: 631_515,
                                  chargeableOn: "2026-06-01", originalDue: "2026-06-16", paymentDue: "2026-06-16"),
        // B2: 717.00 × 1.5 = 1075.50; impugned Jun 1, indeferida, recurso, recurso parcial R$ 500,00;
        // nobody gives ciência: tacit Jun 11, final that day, due Jun 26.
        "3526000000202": Expected(registro: b, outcome: "parcialmente_deferida", original: 107_550, final: 50_000,
                                  chargeableOn: "2026-06-11", originalDue: "2026-06-16", paymentDue: "2026-06-26"),
        // B3: 998.45 × 1.5 = 1497.675 → 1497.68; not impugned, chargeable when B's window closes (Jun 2).
        "3526000000203": Expected(registro: b, outcome: "nao_impugnado", original: 149_768, final: 149_768,
                                  chargeableOn: "2026-06-02", originalDue: "2026-06-16", paymentDue: "2026-06-16"),
        // B4: 0.33 × 1.5 = 0.495 → 0.50; impugned Jun 1, indeferida, tacit ciência Jun 11, no recurso:
        // final when the recurso window closes (Jun 23), due Jun 26.
        "3526000000204": Expected(registro: b, outcome: "indeferida", original: 50, final: 50,
                                  chargeableOn: "2026-06-23", originalDue: "2026-06-16", paymentDue: "2026-06-26"),
        // C1: 1200.00 × 1.5 = 1800.00; impugned Apr 22, parcial R$ 1.000,00 on Jun 1, explicit ciência,
        // recurso, recurso deferida, explicit ciência Jun 1: annulled.
        "3526000000301": Expected(registro: c, outcome: "deferida", original: 180_000, final: 0,
                                  chargeableOn: "2026-06-01", originalDue: "2026-06-05", paymentDue: "2026-06-16"),
        // C2: 333.33 × 1.5 = 499.995 → 500.00; not impugned, chargeable when C's window closes (May 21).
        "3526000000302": Expected(registro: c, outcome: "nao_impugnado", original: 50_000, final: 50_000,
                                  chargeableOn: "2026-05-21", originalDue: "2026-06-05", paymentDue: "2026-06-05"),
    ]

    /// The ABI file: the ten atendimentos above plus one row for an operadora that is not registered.
    static func abiFile() -> String {
        let rows: [(String, String, String, String)] = [
            (a, "AIH", "3526000000101", "1534.20"), (a, "APAC", "3526000000102", "\"2.150,75\""),
            (a, "AIH", "3526000000103", "689.00"), (a, "AIH", "3526000000104", "100.01"),
            (b, "AIH", "3526000000201", "4210.10"), (b, "APAC", "3526000000202", "717.00"),
            (b, "AIH", "3526000000203", "998.45"), (b, "AIH", "3526000000204", "0.33"),
            (c, "AIH", "3526000000301", "1200.00"), (c, "APAC", "3526000000302", "333.33"),
            ("999999", "AIH", "3526000000901", "50.00"),
        ]
        let header = "abi,registro_ans,tipo,numero_documento,competencia,codigo_beneficiario,data_nascimento,"
            + "data_inicio,data_fim,cnes,procedimento,quantidade,valor_sus"
        return ([header] + rows.map { registro, kind, document, value in
            "\(abi),\(registro),\(kind),\(document),2025-10,B\(document.suffix(4)),1970-05-01,2025-10-03,2025-10-08,2077485,0303010037,1,\(value)"
        }).joined(separator: "\n") + "\n"
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Sat Apr 18 2026, 10:00 in Brasília.
    static let start = BusinessTimeZone.startOfDay(try! CivilDate(parsing: "2026-04-18")).addingTimeInterval(10 * 3600)

    @Test func everyAtendimentoEndsChargeableOrAnnulledExactlyOnce() async throws {
        try await EndToEndStack.with(startingAt: Self.start) { stack in
            try await Self.importABI(stack)
            try await Self.runProcess(stack)
            let events = try await stack.capturedEvents()
            try Self.checkReleases(events)
            try await Self.checkRecords(stack, events)
            try await Self.checkSchemas(stack, events)
            try await Self.checkStatus(stack)
        }
    }

    // MARK: The run

    static func importABI(_ stack: EndToEndStack) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(stack.suffix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let operadoras = repository.appendingPathComponent("samples/operadoras-exemplo.csv").path
        let registered = try await stack.ressus(["operadoras", "importar", operadoras, "--esquema", stack.intakeSchema])
        #expect(registered.status == 0, "\(registered.error)")
        #expect(registered.output.contains("Operadoras: 3 novas"), "\(registered.output)")

        let file = directory.appendingPathComponent("abi-57.csv")
        try Data(abiFile().utf8).write(to: file)
        let imported = try await stack.ressus(["abi", "importar", file.path, "--esquema", stack.intakeSchema, "--aguardar", "60"])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("ABI 57: 10 atendimentos novos, 0 já existentes, 1 rejeitados (11 linhas lidas)."),
                "\(imported.output)")
        // Imported on a Saturday: available on Monday Apr 20.
        #expect(imported.output.contains("Notificações emitidas: 3 operadoras, disponíveis em 20/04/2026."),
                "\(imported.output)\(imported.error)")
        let report = try String(contentsOf: directory.appendingPathComponent("abi-57.rejeitados.csv"), encoding: .utf8)
        #expect(report.contains("12,\"registro_ans: operadora 999999 não cadastrada\""), "\(report)")

        try await waitUntil("the deadlines service holding the three notifications", timeout: .seconds(60)) {
            let notifications = try await stack.deadlinesScalar(
                "SELECT count(*)::text FROM notifications WHERE state = 'aguardando_ciencia' AND available_on = '2026-04-20'")
            let atendimentos = try await stack.deadlinesScalar("SELECT count(*)::text FROM atendimentos")
            return notifications == "3" && atendimentos == "10"
        }
    }

    static func runProcess(_ stack: EndToEndStack) async throws {
        func filing(_ kind: String, _ registro: String, _ document: String) -> [String] {
            [kind, "registrar", "--abi", abi, "--operadora", registro, "--atendimento", document, "--texto", "Contestação de \(document)"]
                + (kind == "impugnacao" ? ["--fundamento", "tecnico"] : [])
        }
        func decide(_ kind: String, _ document: String, _ result: String, value: String? = nil) -> [String] {
            [kind, "decidir", "--atendimento", document, "--decisao", result] + (value.map { ["--valor", $0] } ?? [])
        }
        func decisionCiencia(_ document: String) -> [String] { ["ciencia", "registrar", "--decisao", document, "--data", "2026-06-01"] }

        // Wed Apr 22: ciência of A (dated on the Tiradentes holiday) and C; impugnações of A2, A3, C1.
        try await stack.advanceClock(to: "2026-04-22T09:00")
        let cienciaA = try await stack.deadlinesCommand(["ciencia", "registrar", "--abi", abi, "--operadora", a, "--data", "2026-04-21"])
        #expect(cienciaA.contains("Prazo final para impugnação: 22/05/2026"), "\(cienciaA)")
        let cienciaC = try await stack.deadlinesCommand(["ciencia", "registrar", "--abi", abi, "--operadora", c, "--data", "20/04/2026"])
        #expect(cienciaC.contains("Prazo final para impugnação: 20/05/2026"), "\(cienciaC)")
        try await concurrently(stack, [filing("impugnacao", a, "3526000000102"), filing("impugnacao", a, "3526000000103"),
                                       filing("impugnacao", c, "3526000000301")])

        // Mon Jun 1: B's tacit ciência (Apr 30) and the closing of A's and C's windows happened on the way.
        try await stack.advanceClock(to: "2026-06-01T09:00")
        let late = try await stack.deadlinesCommand(filing("impugnacao", a, "3526000000104"), expecting: 1)
        #expect(late.contains("impugnação intempestiva") && late.contains("terminou em 22/05/2026"), "\(late)")
        try await concurrently(stack, [filing("impugnacao", b, "3526000000201"), filing("impugnacao", b, "3526000000202"),
                                       filing("impugnacao", b, "3526000000204")])
        try await concurrently(stack, [
            decide("impugnacao", "3526000000102", "deferida"), decide("impugnacao", "3526000000103", "parcial", value: "800,00"),
            decide("impugnacao", "3526000000301", "parcial", value: "1.000,00"), decide("impugnacao", "3526000000201", "indeferida"),
            decide("impugnacao", "3526000000202", "indeferida"), decide("impugnacao", "3526000000204", "indeferida"),
        ])
        try await concurrently(stack, [decisionCiencia("3526000000102"), decisionCiencia("3526000000103"), decisionCiencia("3526000000301")])
        try await concurrently(stack, [filing("recurso", c, "3526000000301"), filing("recurso", b, "3526000000201"),
                                       filing("recurso", b, "3526000000202")])
        try await concurrently(stack, [decide("recurso", "3526000000301", "deferida"), decide("recurso", "3526000000201", "indeferida"),
                                       decide("recurso", "3526000000202", "parcial", value: "500,00")])
        try await concurrently(stack, [decisionCiencia("3526000000301"), decisionCiencia("3526000000201")])

        // Past every deadline: tacit ciências of Jun 11, recurso windows closing Jun 12 and Jun 23.
        try await stack.advanceClock(to: "2026-07-01T09:00")
        try await waitUntil("every atendimento released", timeout: .seconds(30)) {
            try await stack.deadlinesScalar("SELECT count(*)::text FROM atendimentos WHERE state IN ('cobravel', 'anulado')") == "10"
        }
    }

    /// Runs independent deadlines commands (about different atendimentos) at the same time.
    static func concurrently(_ stack: EndToEndStack, _ commands: [[String]]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for command in commands {
                group.addTask { try await stack.deadlinesCommand(command) }
            }
            try await group.waitForAll()
        }
    }

    // MARK: Checks

    /// Every valid atendimento is released exactly once, with the expected outcome, amounts and dates.
    static func checkReleases(_ events: [CapturedEvent]) throws {
        let releases = try events.filter { $0.envelope.type == AtendimentosChargeable.eventType }
            .map { try $0.envelope.decode(AtendimentosChargeable.self) }
        var seen: [String: [Expected]] = [:]
        for release in releases {
            #expect(release.abi.value == 57)
            for atendimento in release.atendimentos {
                seen[atendimento.document.value, default: []].append(Expected(
                    registro: release.registroANS.value, outcome: atendimento.outcome.rawValue,
                    original: atendimento.originalAmount.centavos, final: atendimento.finalAmount.centavos,
                    chargeableOn: release.chargeableOn.description, originalDue: release.originalDueDate.description,
                    paymentDue: release.paymentDueDate.description))
            }
        }
        #expect(Set(seen.keys) == Set(expected.keys), "released: \(seen.keys.sorted())")
        for (document, want) in expected.sorted(by: { $0.key < $1.key }) {
            let got = seen[document] ?? []
            #expect(got == [want], "atendimento \(document): expected \(want), released \(got)")
        }
        // Downstream totals reconcile: per operadora, the released original amounts add up to the
        // notification's total (annulled ones included, with final amount 0).
        let originals = Dictionary(grouping: expected.values, by: \.registro).mapValues { $0.map(\.original).reduce(0, +) }
        let released = Dictionary(grouping: seen.values.joined(), by: \.registro).mapValues { $0.map(\.original).reduce(0, +) }
        #expect(released == originals)
    }

    /// Every event the services emitted (and the clock's) matches docs/asyncapi.yaml and its schema.
    static func checkSchemas(_ stack: EndToEndStack, _ events: [CapturedEvent]) async throws {
        let types = Set(events.map(\.envelope.type))
        let expectedTypes: [EventType] = [
            OperadoraRegistered.eventType, NotificationIssued.eventType, NotificationAtendimentos.eventType,
            NotificationCienciaRegistered.eventType, ImpugnacaoFiled.eventType, FilingRefused.eventType, RecursoFiled.eventType,
            DecisionMade.eventType, DecisionCienciaRegistered.eventType, AtendimentosChargeable.eventType,
            ClockAdvanced.eventType, ClockAcknowledged.eventType,
        ]
        #expect(types == Set(expectedTypes), "captured \(types.map(\.description).sorted())")
        let outcome = try await EventSchemaValidator.validate(events.map(EventSchemaValidator.Record.init), topicSuffix: "." + stack.suffix)
        #expect(outcome.checked == events.count)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.prefix(5).map { "\($0.type ?? "?"): \($0.errors)" })")
    }

    /// `ressus status` shows both services' counts, as text and as JSON (the other three: schemas that do not exist).
    static func checkStatus(_ stack: EndToEndStack) async throws {
        let missing = "nao_existe_" + stack.suffix
        let schemas = ["--esquema", "intake=\(stack.intakeSchema)", "--esquema", "deadlines=\(stack.deadlinesSchema)"]
            + ["debt-calculator", "report-publisher", "fns-transfer"].flatMap { ["--esquema", "\($0)=\(missing)"] }
        let text = try await stack.ressus(["status"] + schemas)
        #expect(text.status == 0, "\(text.error)")
        for line in ["Recepção (intake):", "  operadoras: cadastradas 3", "  ABIs: notificada 1", "  atendimentos: recebidos 10, rejeitados 1",
                     "  notificações: emitida 3", "  emissões agendadas: nenhum", "  eventos no outbox: publicado 9",
                     "Prazos (deadlines):", "  notificações: prazo_encerrado 3", "  atendimentos: anulado 2, cobravel 8",
                     "  impugnações: aceita 6, recusada 1",
                     "  decisões: impugnacao_deferida 1, impugnacao_indeferida 3, impugnacao_parcial 2, recurso_deferida 1, "
                        + "recurso_indeferida 1, recurso_parcial 1",
                     "  recursos: aceito 3", "  prazos agendados: nenhum"] {
            #expect(text.output.contains(line + "\n"), "missing '\(line)' in:\n\(text.output)")
        }

        let json = try await stack.ressus(["status", "--json"] + schemas)
        #expect(json.status == 0, "\(json.error)")
        struct Output: Decodable {
            struct Report: Decodable {
                let iniciado: Bool
                let contagens: ServiceStatus
            }
            let servicos: [Report]
        }
        let reports = try JSONDecoder().decode(Output.self, from: Data(json.output.utf8)).servicos
        #expect(reports.map(\.contagens.service) == ServiceDescriptor.all.map(\.name))
        #expect(reports.map(\.iniciado) == [true, true, false, false, false])
        #expect(reports.first?.contagens.count("atendimentos", "rejeitados") == 1)
        #expect(reports.dropFirst().first?.contagens.count("atendimentos", "cobravel") == 8)
        #expect(reports.dropFirst().first?.contagens.schema == stack.deadlinesSchema)
    }

    /// The notifications as emitted, the refused filing, and the deadlines schema's final states.
    static func checkRecords(_ stack: EndToEndStack, _ events: [CapturedEvent]) async throws {
        let issued = try events.filter { $0.envelope.type == NotificationIssued.eventType }
            .map { try $0.envelope.decode(NotificationIssued.self) }
        // A: 2301.30 + 3226.13 + 1033.50 + 150.02; B: 6315.15 + 1075.50 + 1497.68 + 0.50; C: 1800.00 + 500.00.
        #expect(Dictionary(uniqueKeysWithValues: issued.map { ($0.registroANS.value, $0.totalToReimburse.centavos) })
                == [a: 671_095, b: 888_883, c: 230_000])
        #expect(issued.allSatisfy { $0.availableOn.description == "2026-04-20" })

        let refused = try events.filter { $0.envelope.type == FilingRefused.eventType }.map { try $0.envelope.decode(FilingRefused.self) }
        #expect(refused.map(\.document.value) == ["3526000000104"])
        #expect(refused.first?.filedOn.description == "2026-06-01")
        #expect(try await stack.deadlinesScalar(
            "SELECT string_agg(status, ',' ORDER BY filed_on) FROM impugnacoes WHERE document = '3526000000104'") == "recusada")

        let ciencias = try events.filter { $0.envelope.type == NotificationCienciaRegistered.eventType }
            .map { try $0.envelope.decode(NotificationCienciaRegistered.self) }
        let byOperadora = Dictionary(uniqueKeysWithValues: ciencias.map {
            ($0.registroANS.value, "\($0.kind.rawValue) \($0.cienciaOn) \($0.impugnacaoWindowEnd)")
        })
        #expect(byOperadora == [a: "expressa 2026-04-21 2026-05-22", b: "tacita 2026-04-30 2026-06-01",
                                c: "expressa 2026-04-20 2026-05-20"])
        #expect(try await stack.deadlinesScalar("SELECT count(*)::text FROM scheduled_work WHERE status = 'pending'") == "0")
    }
}
