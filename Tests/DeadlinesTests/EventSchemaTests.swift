import Foundation
import Models
import Runtime
import TestSupport
import Testing

/// docs/asyncapi.yaml and docs/schemas/ against the code: every topic and every `DomainEvent` type is
/// described, the validator catches malformed events, and events built with the real encoder validate.
/// (Events emitted by the running intake and deadlines services are validated in
/// `IntakeToChargeableEndToEndTests`; those the debt calculator's code writes, in every DebtCalculatorTests
/// fixture and its end-to-end test; the FNS recorder's repasses, in `FNSServiceTests`.)
@Suite struct EventSchemaTests {
    @Test func theDocumentDescribesEveryTopicAndEveryEventTypeInTheCode() async throws {
        let description = try await EventSchemaValidator.describe()
        #expect(description.asyncapi == "3.0.0")
        let addresses = Set(description.channels.keys)
        #expect(addresses == Set(Topics.all.map(\.name) + [ClockTopic.name]), "channels: \(addresses.sorted())")

        // Every DomainEvent type in the code is in `allEventTypes` (a new one fails here until listed),
        // and every `EventType.ressus(...)` declaration is one of theirs.
        let declared = try EventSchemaValidator.domainEventTypeNamesInCode()
        let listed = Set(Self.allEventTypes.map { String(describing: $0) })
        #expect(declared == listed,
                "DomainEvent types not in allEventTypes: \(declared.subtracting(listed).sorted()); listed but not in the code: \(listed.subtracting(declared).sorted())")
        let inCode = Set(Self.allEventTypes.map { $0.eventType.description })
        #expect(inCode.count == Self.allEventTypes.count, "two types share an event type")
        let scanned = try EventSchemaValidator.eventTypesInCode()
        #expect(scanned == inCode, "EventType.ressus declarations of no listed type: \(scanned.subtracting(inCode).sorted())")
        let documented = Set(description.channels.values.joined())
        #expect(inCode.subtracting(documented).isEmpty, "event types without a message: \(inCode.subtracting(documented).sorted())")
        #expect(documented.subtracting(inCode).isEmpty, "messages for unknown event types: \(documented.subtracting(inCode).sorted())")
        let schemas = Set(description.schemas.values.compactMap { $0 })
        #expect(inCode.subtracting(schemas).isEmpty, "event types without a schema: \(inCode.subtracting(schemas).sorted())")
        // Each event type sits on the topic its producer writes it to.
        let deadlines = description.channels[Topics.deadlines.name] ?? []
        #expect(deadlines.contains(AtendimentosChargeable.eventType.description))
        #expect(deadlines.contains(FilingRefused.eventType.description))
        #expect(description.channels[Topics.notifications.name] == [NotificationAtendimentos.eventType, NotificationIssued.eventType]
            .map(\.description))
        #expect(description.channels[Topics.debts.name]?.count == 8)
        #expect(description.channels[Topics.upstreamPayments.name] == [PaymentReceived.eventType.description])
        #expect(description.channels[Topics.fns.name] == [RepasseTransferred.eventType.description])
        #expect(description.channels[Topics.portalRequests.name] == [PortalCienciaRequested.eventType.description])
    }

    /// Every `DomainEvent` type of Shared/ and Services/ (checked against the sources above).
    static let allEventTypes: [any DomainEvent.Type] = [
        OperadoraRegistered.self, NotificationIssued.self, NotificationAtendimentos.self,
        UpstreamAtendimentosIdentified.self, UpstreamABIClosed.self,
        NotificationCienciaRegistered.self, ImpugnacaoFiled.self, FilingRefused.self, RecursoFiled.self, DecisionMade.self,
        DecisionCienciaRegistered.self, AtendimentosChargeable.self,
        ChargeIssued.self, GRUIssued.self, GRUStateChanged.self, PaymentRecorded.self, PaymentSettled.self,
        ParcelamentoChanged.self, CADINChanged.self, SelicRatesPublished.self, PaymentReceived.self,
        RepasseTransferred.self, PortalCienciaRequested.self, ClockAdvanced.self, ClockAcknowledged.self,
    ]

    @Test func malformedEventsFailValidation() async throws {
        let good = try EventSchemaValidator.Record(Self.chargeable, topic: Topics.deadlines.name, source: "/ressus/deadlines")
        func mutated(_ change: (inout [String: Any]) -> Void) throws -> EventSchemaValidator.Record {
            var payload = try #require(try JSONSerialization.jsonObject(with: Data(good.payload.utf8)) as? [String: Any])
            change(&payload)
            return EventSchemaValidator.Record(topic: good.topic, key: good.key, headers: good.headers,
                                               payload: try JSONSerialization.data(withJSONObject: payload))
        }
        func atendimento(_ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { payload in
                var list = payload["atendimentos"] as! [[String: Any]]
                change(&list[0])
                payload["atendimentos"] = list
            }
        }
        var wrongType = good.headers
        wrongType["ce_type"] = "br.gov.ans.ressus.atendimentos.chargeable.v2"
        var noID = good.headers
        noID["ce_id"] = nil
        let cases: [(String, EventSchemaValidator.Record, String)] = [
            ("money as reais", try mutated(atendimento { $0["finalAmount"] = 2301.3 }), "is not of type 'integer'"),
            ("short registro", try mutated { $0["registroANS"] = "12345" }, "registroANS: '12345' does not match"),
            ("Brazilian date", try mutated { $0["chargeableOn"] = "23/05/2026" }, "chargeableOn: '23/05/2026' is not a 'date'"),
            ("impossible date", try mutated { $0["paymentDueDate"] = "2026-02-30" }, "is not a 'date'"),
            ("missing field", try mutated { $0["originalDueDate"] = nil }, "'originalDueDate' is a required property"),
            ("unknown outcome", try mutated(atendimento { $0["outcome"] = "cancelado" }), "'cancelado' is not one of"),
            ("extra field", try mutated { $0["total"] = 1 }, "Additional properties are not allowed"),
            ("ABI zero", try mutated { $0["abi"] = 0 }, "abi: 0 is less than the minimum of 1"),
            ("no atendimentos", try mutated { $0["atendimentos"] = [Any]() }, "should be non-empty"),
            ("unknown version", .init(topic: good.topic, key: good.key, headers: wrongType, payload: Data(good.payload.utf8)),
             "no message in the AsyncAPI document"),
            ("missing ce_id", .init(topic: good.topic, key: good.key, headers: noID, payload: Data(good.payload.utf8)),
             "'ce_id' is a required property"),
            ("wrong topic", .init(topic: Topics.notifications.name, key: good.key, headers: good.headers, payload: Data(good.payload.utf8)),
             "is not the channel"),
            ("key not the registro", .init(topic: good.topic, key: "abc", headers: good.headers, payload: Data(good.payload.utf8)),
             "differs from ce_partitionkey"),
        ]
        let outcome = try await EventSchemaValidator.validate([good] + cases.map(\.1))
        #expect(outcome.checked == cases.count + 1)
        #expect(!outcome.failures.contains { $0.index == 0 }, "the unchanged event must pass: \(outcome.failures.first { $0.index == 0 }?.errors ?? [])")
        for (index, (name, _, message)) in cases.enumerated() {
            let errors = outcome.failures.first { $0.index == index + 1 }?.errors ?? []
            #expect(errors.contains { $0.contains(message) }, "\(name): expected an error containing \(message), got \(errors)")
        }
    }

    /// The debt events, built with the real types and encoder, with and without their optional fields
    /// (the real service's events are checked in DebtCalculatorTests).
    @Test func debtEventsBuiltWithTheRealEncoderMatchTheirSchemas() async throws {
        let topic = Topics.debts.name
        let registro = try RegistroANS("123456")
        let gru = try GRUNumber(prefix: "2910001", sequence: 42)
        let other = try GRUNumber(prefix: "2910001", sequence: 43)
        let day = try CivilDate(parsing: "2026-06-16")
        let boleto = try Boleto(gru: gru, amount: Money(centavos: 1_049_500), dueDate: day)
        let document = try SUSDocumentNumber("3526000000101")
        let records: [EventSchemaValidator.Record] = [
            try .init(ChargeIssued(chargeID: "57/123456/1", abi: try ABINumber(57), registroANS: registro,
                                   atendimentos: [ChargedAtendimento(document: document, competencia: try YearMonth(parsing: "2025-10"),
                                                                     amount: Money(centavos: 230_130))],
                                   total: Money(centavos: 230_130), gruNumber: gru, accumulatedSmallCharges: .zero, issuedOn: day), topic: topic),
            try .init(ChargeIssued(chargeID: "57/123456/2", abi: try ABINumber(57), registroANS: registro,
                                   atendimentos: [ChargedAtendimento(document: document, competencia: nil, amount: Money(centavos: 50))],
                                   total: Money(centavos: 50), gruNumber: nil, accumulatedSmallCharges: Money(centavos: 50), issuedOn: day), topic: topic),
            try .init(GRUIssued(gruNumber: gru, registroANS: registro, purpose: .charge, chargeIDs: ["57/123456/1"], abis: [try ABINumber(57)],
                                principal: Money(centavos: 1_000_000), multa: .zero, juros: .zero, amount: Money(centavos: 1_000_000),
                                issuedOn: day, dueDate: day, accrualDate: day, linhaDigitavel: boleto.linhaDigitavel), topic: topic),
            try .init(GRUIssued(gruNumber: other, registroANS: registro, purpose: .installment, chargeIDs: [], abis: [],
                                principal: Money(centavos: 100_000), multa: Money(centavos: 1), juros: Money(centavos: 2),
                                amount: Money(centavos: 100_003), issuedOn: day, dueDate: day, accrualDate: day, replaces: gru,
                                parcelamentoID: "parc-1", installment: 2, linhaDigitavel: boleto.linhaDigitavel), topic: topic),
            try .init(GRUStateChanged(gruNumber: gru, registroANS: registro, previousState: .emitida, state: .pagaComAtraso,
                                      effectiveOn: day, principal: Money(centavos: 1_000_000), openPrincipal: .zero,
                                      paidTotal: Money(centavos: 1_049_500), credit: .zero, accrualDate: day, reason: "pagamento em atraso"), topic: topic),
            try .init(GRUStateChanged(gruNumber: gru, registroANS: registro, previousState: .emitida, state: .cancelada, effectiveOn: day,
                                      principal: Money(centavos: 1), openPrincipal: .zero, paidTotal: .zero, credit: .zero, accrualDate: day,
                                      reason: "reemitida", courtProcess: "0001234-56.2026.4.01.3400", parcelamentoID: "parc-1",
                                      replacedBy: other), topic: topic),
            try .init(PaymentRecorded(paymentID: "001-20260616-1", gruNumber: gru.value, registroANS: registro, amount: Money(centavos: 1_049_500),
                                      paidOn: day, classification: .late, dueOnPaymentDate: Money(centavos: 1_049_500), credit: .zero), topic: topic),
            try .init(PaymentRecorded(paymentID: "001-20260616-2", gruNumber: "999", registroANS: nil, amount: Money(centavos: 10),
                                      paidOn: day, classification: .unknownGRU, dueOnPaymentDate: nil, credit: .zero), topic: topic),
            try .init(PaymentSettled(paymentID: "001-20260616-1", gruNumber: gru, registroANS: registro, paidOn: day,
                                     principal: Money(centavos: 1_000_000), multa: Money(centavos: 20_000), juros: Money(centavos: 29_500),
                                     total: Money(centavos: 1_049_500)), topic: topic),
            try .init(ParcelamentoChanged(parcelamentoID: "parc-1", registroANS: registro, state: .deferido, effectiveOn: day,
                                          gruNumbers: [gru], consolidated: Money(centavos: 6_000_000), installmentCount: 6,
                                          installmentBase: Money(centavos: 1_000_000), concessionDate: day, paidInstallments: 1,
                                          missedInstallments: 0, unpaidBalance: Money(centavos: 5_000_000)), topic: topic),
            try .init(CADINChanged(registroANS: registro, gruNumber: gru, registered: true, effectiveOn: day), topic: topic),
            try .init(SelicRatesPublished(version: "2026-06", rates: [SelicMonthRate(month: try YearMonth(parsing: "2026-05"),
                                                                                   rate: Percent(basisPoints: 114))]), topic: topic),
        ]
        let outcome = try await EventSchemaValidator.validate(records)
        #expect(outcome.checked == records.count)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.map { "\($0.index) \($0.type ?? "?"): \($0.errors)" })")
    }

    /// The upstream payment, the FNS repasse and the portal's ciência request, built with the real
    /// types and encoder, and what their schemas refuse.
    @Test func paymentRepasseAndPortalEventsBuiltWithTheRealEncoderMatchTheirSchemas() async throws {
        let day = try CivilDate(parsing: "2026-04-30")
        let gru = try GRUNumber(prefix: "2910001", sequence: 42)
        let received = PaymentReceived(paymentID: "001-20260430-7", gruNumber: gru.value, amount: Money(centavos: 1_049_500),
                                       paidOn: day, origin: "banco-001")
        let unknownGRU = PaymentReceived(paymentID: "001-20260430-8", gruNumber: "123", amount: Money(centavos: 1), paidOn: day,
                                         origin: "pagtesouro")
        let repasse = RepasseTransferred(repasseID: "2026-03/2", collectionMonth: try YearMonth(parsing: "2026-03"), sequence: 2,
                                         kind: .complementary, trigger: .lateSettlements, transferredOn: day,
                                         principal: Money(centavos: 1_000_000), multa: Money(centavos: 20_000),
                                         juros: Money(centavos: 29_500), total: Money(centavos: 1_049_500), paymentCount: 1)
        let ciencia = PortalCienciaRequested(abi: try ABINumber(57), registroANS: try RegistroANS("123456"), requestedOn: day,
                                             cnpjRoot: "12ABC345")
        let good: [EventSchemaValidator.Record] = [
            try .init(received, topic: Topics.upstreamPayments.name, source: "/banco-001"),
            try .init(unknownGRU, topic: Topics.upstreamPayments.name, source: "/pagtesouro"),
            try .init(repasse, topic: Topics.fns.name, source: "/ressus/fns-transfer"),
            try .init(RepasseTransferred(repasseID: "2026-12/1", collectionMonth: try YearMonth(parsing: "2026-12"), sequence: 1,
                                         kind: .regular, trigger: .scheduled, transferredOn: try CivilDate(parsing: "2027-01-29"),
                                         principal: Money(centavos: 5), multa: .zero, juros: .zero, total: Money(centavos: 5),
                                         paymentCount: 3), topic: Topics.fns.name, source: "/ressus/fns-transfer"),
            try .init(ciencia, topic: Topics.portalRequests.name, source: "/ressus/report-publisher"),
        ]
        var badRepasse = repasse
        badRepasse.repasseID = "marco/2"
        var noPayments = repasse
        noPayments.paymentCount = 0
        var badRoot = ciencia
        badRoot.cnpjRoot = "12.345.678"
        var emptyOrigin = received
        emptyOrigin.origin = ""
        let bad: [(EventSchemaValidator.Record, String)] = [
            (try .init(badRepasse, topic: Topics.fns.name), "repasseID: 'marco/2' does not match"),
            (try .init(noPayments, topic: Topics.fns.name), "paymentCount: 0 is less than the minimum of 1"),
            (try .init(badRoot, topic: Topics.portalRequests.name), "cnpjRoot: '12.345.678' does not match"),
            (try .init(emptyOrigin, topic: Topics.upstreamPayments.name), "origin: '' should be non-empty"),
            (try .init(ciencia, topic: Topics.deadlines.name), "is not the channel"),
        ]
        let outcome = try await EventSchemaValidator.validate(good + bad.map(\.0))
        #expect(outcome.checked == good.count + bad.count)
        let goodFailures = outcome.failures.filter { $0.index < good.count }
        #expect(goodFailures.isEmpty, "\(goodFailures.map { "\($0.index) \($0.type ?? "?"): \($0.errors)" })")
        for (offset, (_, message)) in bad.enumerated() {
            let errors = outcome.failures.first { $0.index == good.count + offset }?.errors ?? []
            #expect(errors.contains { $0.contains(message) }, "case \(offset): expected an error containing \(message), got \(errors)")
        }
    }

    static let chargeable = AtendimentosChargeable(
        abi: try! ABINumber(57), registroANS: try! RegistroANS("123456"),
        atendimentos: [ChargeableAtendimento(document: try! SUSDocumentNumber("3526000000101"),
                                             competencia: try! YearMonth(parsing: "2025-10"), outcome: .notImpugned,
                                             originalAmount: Money(centavos: 230_130), finalAmount: Money(centavos: 230_130))],
        originalDueDate: try! CivilDate(parsing: "2026-06-08"), paymentDueDate: try! CivilDate(parsing: "2026-06-08"),
        chargeableOn: try! CivilDate(parsing: "2026-05-23"))
}
