import Foundation
import Kafka
import Logging
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

let quietLogger: Logger = {
    var logger = Logger(label: "report-publisher-tests")
    logger.logLevel = .warning
    return logger
}()

/// The read model built by the inbox consumer from events produced on the real broker, then
/// rebuilt from the topics from scratch.
@Suite("Read model from the topics", .serialized)
struct ReadModelKafkaTests {
    static let registro = "341234"
    static let documents = ["3500000000011", "3500000000022", "3500000000033", "3500000000044"]
    /// The charge of the first round (documents 0 and 3, not impugned), as the debt calculator names it.
    static let roundCharge = "90-\(registro)-\(documents[0])-2025-06"

    /// The whole life of one notification: process, charge, GRU, payments; one event per topic kind.
    /// As the deadlines service releases them: first every atendimento not impugned (0 and 3: a
    /// first round whose range holds the impugned 1 and 2), then each decided one on its own.
    static func scenario() throws -> [(topic: String, envelope: EventEnvelope)] {
        let r = try RegistroANS(registro), abi = try ABINumber(90)
        let docs = try documents.map { try SUSDocumentNumber($0) }
        let gru = Events.gruNumber(501)
        let month = try YearMonth(parsing: "2025-06")
        let atendimentos = [Events.atendimento(documents[0], amount: "600,00"),
                            Events.atendimento(documents[1], amount: "2000,00", kind: .apac),
                            Events.atendimento(documents[2], amount: "3000,00"),
                            Events.atendimento(documents[3], amount: "400,00")]
        let operadoras: [EventEnvelope] = [try Events.operadora(registro: registro, root: "12ABC345", name: "Saúde Exemplo Ltda.")]
        let notifications: [EventEnvelope] = [
            try Events.envelope(NotificationIssued(abi: abi, registroANS: r, availableOn: Events.date("2026-01-05"),
                                                   atendimentoCount: 4, totalToReimburse: Events.money("6000,00"), batchCount: 1)),
            try Events.envelope(NotificationAtendimentos(abi: abi, registroANS: r, batch: 1, atendimentos: atendimentos)),
        ]
        let deadlines: [EventEnvelope] = [
            try Events.envelope(NotificationCienciaRegistered(abi: abi, registroANS: r, cienciaOn: Events.date("2026-01-10"),
                                                              kind: .explicit, impugnacaoWindowEnd: Events.date("2026-02-09"))),
            try Events.envelope(ImpugnacaoFiled(abi: abi, registroANS: r, document: docs[1], competencia: month, grounds: .technical,
                                                filedOn: Events.date("2026-01-20"))),
            try Events.envelope(DecisionMade(abi: abi, registroANS: r, document: docs[1], competencia: month, instance: .impugnacao,
                                             result: .deferida, amount: .zero, decidedOn: Events.date("2026-02-20"))),
            try Events.envelope(ImpugnacaoFiled(abi: abi, registroANS: r, document: docs[2], competencia: month, grounds: .administrative,
                                                filedOn: Events.date("2026-01-21"))),
            try Events.envelope(DecisionMade(abi: abi, registroANS: r, document: docs[2], competencia: month, instance: .impugnacao,
                                             result: .indeferida, amount: Events.money("3000,00"), decidedOn: Events.date("2026-02-20"))),
            try Events.envelope(RecursoFiled(abi: abi, registroANS: r, document: docs[2], competencia: month, filedOn: Events.date("2026-03-01"))),
            try Events.envelope(AtendimentosChargeable(
                abi: abi, registroANS: r,
                atendimentos: [ChargeableAtendimento(document: docs[0], competencia: month, outcome: .notImpugned, originalAmount: Events.money("600,00"),
                                                     finalAmount: Events.money("600,00")),
                               ChargeableAtendimento(document: docs[3], competencia: month, outcome: .notImpugned, originalAmount: Events.money("400,00"),
                                                     finalAmount: Events.money("400,00"))],
                originalDueDate: Events.date("2026-02-24"), paymentDueDate: Events.date("2026-02-24"),
                chargeableOn: Events.date("2026-02-10"))),
            try Events.envelope(AtendimentosChargeable(
                abi: abi, registroANS: r,
                atendimentos: [ChargeableAtendimento(document: docs[1], competencia: month, outcome: .deferida, originalAmount: Events.money("2000,00"),
                                                     finalAmount: .zero)],
                originalDueDate: Events.date("2026-02-24"), paymentDueDate: Events.date("2026-03-10"),
                chargeableOn: Events.date("2026-02-24"))),
        ]
        let debts: [EventEnvelope] = [
            try Events.envelope(ChargeIssued(chargeID: roundCharge, abi: abi, registroANS: r,
                                             atendimentos: [ChargedAtendimento(document: docs[0], competencia: month, amount: Events.money("600,00")),
                                                            ChargedAtendimento(document: docs[3], competencia: month, amount: Events.money("400,00"))],
                                             total: Events.money("1000,00"), gruNumber: gru, accumulatedSmallCharges: .zero,
                                             issuedOn: Events.date("2026-02-10"))),
            try Events.gruIssued(gru, registro: registro, principal: "1000,00", issuedOn: "2026-02-10", dueDate: "2026-02-24",
                                 chargeIDs: [roundCharge]),
            try Events.envelope(PaymentRecorded(paymentID: "p1", gruNumber: gru.value, registroANS: r, amount: Events.money("600,00"),
                                                paidOn: Events.date("2026-02-20"), classification: .partial,
                                                dueOnPaymentDate: Events.money("1000,00"), credit: .zero)),
            try Events.stateChanged(gru, registro: registro, from: .emitida, to: .emitida, on: "2026-02-20", principal: "1000,00",
                                    open: "400,00", paid: "600,00", accrualDate: "2026-02-24", reason: "pagamento parcial"),
            try Events.envelope(CADINChanged(registroANS: r, gruNumber: gru, registered: true, effectiveOn: Events.date("2026-05-10"))),
            try Events.stateChanged(gru, registro: registro, from: .emitida, to: .pagaComAtraso, on: "2026-05-12", principal: "1000,00",
                                    open: "0,00", paid: "1050,00", accrualDate: "2026-02-24", reason: "pagamento do saldo"),
            try Events.envelope(SelicRatesPublished(version: "bcb-2026-09", rates: [
                SelicMonthRate(month: try YearMonth(parsing: "2026-08"), rate: Percent(basisPoints: 110))])),
        ]
        return operadoras.map { ("operadoras", $0) } + notifications.map { ("notifications", $0) }
            + deadlines.map { ("deadlines", $0) } + debts.map { ("debts", $0) }
    }

    /// What the portal shows, as text, to compare before and after a rebuild.
    static func snapshot(_ pool: PostgresPool) async throws -> [String] {
        try await pool.withConnection { c in
            var lines: [String] = []
            for gru in try ReadModelQueries.grus(of: registro, on: c) {
                lines.append("gru \(gru.number) \(gru.state.rawValue) open=\(gru.openPrincipal.centavos) paid=\(gru.paidTotal.centavos)")
                for h in try ReadModelQueries.history(of: gru.number, registro: registro, on: c) {
                    lines.append("  \(h.effectiveOn) \(h.state.rawValue) \(h.openPrincipal.centavos) \(h.reason)")
                }
            }
            for a in try ReadModelQueries.atendimentos(of: registro, filter: AtendimentoFilter(), limit: 100, offset: 0, on: c).rows {
                lines.append("atendimento \(a.document) \(a.kind ?? "-") \(a.situation.rawValue) final=\(a.finalAmount?.centavos ?? -1) gru=\(a.gruNumber ?? "-")")
            }
            for n in try ReadModelQueries.notifications(of: registro, on: c) {
                lines.append("notification \(n.abi) ciencia=\(n.cienciaOn?.description ?? "-") \(n.cienciaKind ?? "-")")
            }
            lines.append("selic 2026-08 = \(try ReadModelQueries.selicTable(on: c).rate(for: try YearMonth(parsing: "2026-08"))?.basisPoints ?? -1)")
            lines.append("payments \(try c.query("SELECT count(*) FROM rm_payments")[0].decode(Int.self, at: 0))")
            lines.append("cadin \(try c.query("SELECT count(*) FROM rm_cadin WHERE registered")[0].decode(Int.self, at: 0))")
            return lines
        }
    }

    @Test("events produced on the broker build the read model; a rebuild from the topics gives the same")
    func buildAndRebuild() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topics = ["operadoras", "notifications", "deadlines", "debts"].reduce(into: [String: String]()) {
            $0[$1] = "rp-test-\($1)-\(suffix)"
        }
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "report-publisher-tests")
        let admin = try KafkaAdmin(config: kafka, logger: quietLogger)
        try await admin.createTopics(topics.values.map { TopicSpec(name: $0, partitions: 2) })
        defer { Task { try? await admin.deleteTopics(Array(topics.values) + topics.values.map { "\($0).DLT" }) } }
        try await Fixture.with { fixture in
            let producer = try KafkaProducer(config: kafka, logger: quietLogger)
            for (kind, envelope) in try Self.scenario() {
                _ = try await producer.send(OutgoingMessage(
                    topic: topics[kind]!, key: envelope.partitionKey, value: Array(envelope.payload),
                    headers: CloudEventHeaders.encode(envelope).map { KafkaHeader(name: $0.name, value: $0.value) }))
            }
            await producer.close()

            let consumer = InboxConsumer(name: "rp-test-\(suffix)", topics: Array(topics.values), handler: ReadModelHandler(idempotency: .inbox),
                                         database: fixture.pool, kafka: kafka, clock: WallClock(), logger: quietLogger)
            let running = RunningServices([consumer], logger: quietLogger)
            do {
                try await waitUntil("the GRU paid and the recurso applied", timeout: .seconds(60)) {
                    let lines = try await Self.snapshot(fixture.pool)
                    return lines.contains { $0.hasPrefix("gru \(Events.gruNumber(501).value) paga_com_atraso") }
                        && lines.contains { $0.contains("em_recurso") } && lines.contains("cadin 1")
                }
            } catch {
                try? await running.stop()
                Issue.record("read model so far: \(try await Self.snapshot(fixture.pool)); consumer: \(consumer.statistics)")
                throw error
            }
            try await running.stop()

            let built = try await Self.snapshot(fixture.pool)
            let gru = Events.gruNumber(501).value
            #expect(built.contains("gru \(gru) paga_com_atraso open=0 paid=105000"))
            #expect(built.contains("  2026-02-10 emitida 100000 emitida para a cobrança"))
            #expect(built.contains("  2026-02-20 emitida 40000 pagamento parcial"))
            #expect(built.contains("  2026-05-12 paga_com_atraso 0 pagamento do saldo"))
            #expect(built.contains("atendimento \(Self.documents[0]) AIH pago final=60000 gru=\(gru)"))
            #expect(built.contains("atendimento \(Self.documents[3]) AIH pago final=40000 gru=\(gru)"))
            #expect(built.contains("atendimento \(Self.documents[1]) APAC anulado final=0 gru=-"))
            #expect(built.contains("atendimento \(Self.documents[2]) AIH em_recurso final=300000 gru=-"))
            #expect(built.contains("notification 90 ciencia=2026-01-10 expressa"))
            #expect(built.contains("selic 2026-08 = 110"))
            #expect(built.contains("payments 1"))

            let result = try await ReadModelRebuild.run(database: fixture.pool, kafka: kafka, topics: Array(topics.values),
                                                        logger: quietLogger)
            #expect(result.consumed == (try Self.scenario()).count)
            #expect(try await Self.snapshot(fixture.pool) == built)
            // The service had met every event: the rebuild keeps no applied id for it to skip.
            #expect(try await InboxIdempotencyTests.appliedIDs(fixture.pool) == 0)
        }
    }

    @Test("an event delivered twice changes nothing")
    func idempotent() async throws {
        try await Fixture.with { fixture in
            let events = try Self.scenario().map(\.envelope)
            try await fixture.apply(events)
            let once = try await Self.snapshot(fixture.pool)
            try await fixture.apply(events)
            #expect(try await Self.snapshot(fixture.pool) == once)
            let history = try await fixture.pool.withConnection { try $0.query("SELECT count(*) FROM rm_gru_history")[0].decode(Int.self, at: 0) }
            #expect(history == 3)
        }
    }
}

extension ReadModelKafkaTests {
    @Test("topics are not ordered with each other: any topic order gives the same read model")
    func crossTopicOrder() async throws {
        let scenario = try Self.scenario()
        let inOrder = try await Fixture.with { fixture in
            try await fixture.apply(scenario.map(\.envelope))
            return try await Self.snapshot(fixture.pool)
        }
        for order in [["debts", "deadlines", "notifications", "operadoras"], ["deadlines", "operadoras", "debts", "notifications"]] {
            let reordered = order.flatMap { kind in scenario.filter { $0.topic == kind }.map(\.envelope) }
            let snapshot = try await Fixture.with { fixture in
                try await fixture.apply(reordered)
                return try await Self.snapshot(fixture.pool)
            }
            #expect(snapshot == inOrder, "topic order \(order)")
        }
        #expect(inOrder.contains("atendimento \(Self.documents[2]) AIH em_recurso final=300000 gru=-"))
    }
}
