import Foundation
import Models
import Testing

/// The debt calculator's contracts survive the envelope round trip with every field.
@Suite struct DebtEventsTests {
    let registro = try! RegistroANS("123456")

    @Test func gruIssuedRoundTrips() throws {
        let gru = try GRUNumber(prefix: "2910001", sequence: 42)
        let event = GRUIssued(
            gruNumber: gru, registroANS: registro, purpose: .reissue, chargeIDs: ["c-1"], abis: [try ABINumber(91)],
            principal: Money(centavos: 1_000_000), multa: Money(centavos: 49_500), juros: .zero,
            amount: Money(centavos: 1_049_500), issuedOn: try CivilDate(year: 2026, month: 3, day: 20),
            dueDate: try CivilDate(year: 2026, month: 4, day: 6), accrualDate: try CivilDate(year: 2026, month: 3, day: 16),
            replaces: try GRUNumber(prefix: "2910001", sequence: 41), linhaDigitavel: "8")
        let envelope = try EventEnvelope.wrapping(event, source: "/ressus/debt-calculator", time: Date())
        #expect(try envelope.decode(GRUIssued.self) == event)
        #expect(envelope.partitionKey == "123456")
    }

    @Test func paymentRecordedForUnknownGRUIsKeyedByTheNumberAsReceived() throws {
        let event = PaymentRecorded(
            paymentID: "p-1", gruNumber: "999", registroANS: nil, amount: Money(centavos: 10),
            paidOn: try CivilDate(year: 2026, month: 5, day: 4), classification: .unknownGRU,
            dueOnPaymentDate: nil, credit: .zero)
        let envelope = try EventEnvelope.wrapping(event, source: "/ressus/debt-calculator", time: Date())
        #expect(try envelope.decode(PaymentRecorded.self) == event)
        #expect(envelope.partitionKey == "999")
        #expect(event.classification.isFlagged)
        #expect(!PaymentClassification.partial.isFlagged)
    }
}
