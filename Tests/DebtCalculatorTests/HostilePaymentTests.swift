import DebtCalculatorCore
import Foundation
import Kafka
import Models
import Runtime
import TestSupport
import Testing

/// Hostile bank-return files and upstream payment messages: a file that is not UTF-8 is refused as a
/// whole, bad rows get a reason and the rest is read; on `ressus.upstream.payments`, what cannot be
/// decoded or would lower a debt (an amount of zero or less) lands in `<topic>.DLT`.
@Suite struct HostilePaymentTests {
    static let header = "id_pagamento;gru;valor;data_pagamento;origem\n"

    static func refusal(_ bytes: [UInt8]) -> PaymentFileError? {
        do {
            _ = try PaymentFile.parse(try PaymentFile.decode(Data(bytes)))
            return nil
        } catch {
            return error
        }
    }

    @Test func wronglyEncodedFilesAreRefusedNamingTheLine() {
        let latin1 = Array((Self.header + "B1;1;10,00;2026-03-16;banco-001\nB2;2;10,00;2026-03-16;banco-s").utf8) + [0xE3, 0x6F, 0x0A]
        #expect(Self.refusal(latin1) == .notUTF8(line: 3, detail: "Latin-1/Windows-1252?"))
        #expect(Self.refusal(latin1)?.descricao.contains("linha 3") == true)
        let utf16: [UInt8] = [0xFF, 0xFE] + Self.header.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(Self.refusal(utf16) == .notUTF8(line: 1, detail: "UTF-16"))
        #expect(Self.refusal(Array((Self.header + "B1;1;1").utf8) + [0] + Array(";2026-03-16;b\n".utf8)) == .notUTF8(line: 2, detail: "byte nulo"))
        #expect(Self.refusal([]) == .badHeader(found: ""))
        #expect(Self.refusal(Array("<html><script>alert(1)</script>".utf8)) == .badHeader(found: "<html><script>alert(1)</script>"))
        #expect(Self.refusal(Array((Self.header + "B1;1;10,00;2026-03-16;ok\n").utf8)) == nil)
    }

    @Test func hostileRowsGetAReasonAndTextIsKeptVerbatim() throws {
        let sql = "x' OR '1'='1' --", html = "<img src=x onerror=alert(1)>"
        let text = Self.header + [
            "\(sql);00000010000000001;10,00;2026-03-16;\(html)",   // 2: kept as given
            "B2;../../etc/passwd;10,00;2026-03-16;banco",           // 3: kept, flagged as unknown GRU by the service
            "B3;1;99999999999999999999;2026-03-16;banco",           // 4
            "B4;1;-10,00;2026-03-16;banco",                         // 5
            "B5;1;0,00;2026-03-16;banco",                           // 6
            "B6;1;1e9;2026-03-16;banco",                            // 7
            "B7;1;10,00;0000-01-01;banco",                          // 8
            "B8;1;10,00;99/99/9999;banco",                          // 9
            "B9;1;10,00;2026-02-30;banco",                          // 10
            "B10;1;10,00",                                          // 11: truncated
            "B11;1;10,00;2026-03-16;banco;extra",                   // 12
            ";1;10,00;2026-03-16;banco",                            // 13: empty id
            String(repeating: "9", count: 100_000) + ";1;10,00;2026-03-16;banco",  // 14: long id, kept
        ].joined(separator: "\n")
        let parsed = try PaymentFile.parse(text)
        #expect(parsed.payments.map(\.row) == [2, 3, 14])
        #expect(parsed.payments[0].payment.paymentID == sql && parsed.payments[0].payment.origin == html)
        #expect(parsed.payments[1].payment.gruText == "../../etc/passwd")
        #expect(parsed.errors.map(\.row) == Array(4...13))
        #expect(parsed.errors.allSatisfy { !$0.reason.isEmpty })
        #expect(parsed.errors[1].reason == "valor deve ser positivo (recebido -10,00)")
    }

    /// Through the broker and the debt calculator's real inbox consumer.
    @Test func undecodableOrNonPositiveUpstreamPaymentsGoToTheDLT() async throws {
        try await DebtFixture.with(startingOn: Sample.date("2026-03-02")) { fixture in
            try await PaymentTests.fiveGRUs(fixture)
            let negative = try EventEnvelope.wrapping(PaymentReceived(paymentID: "NEG", gruNumber: Sample.gru(1), amount: Sample.money("-10000,00"),
                                                                      paidOn: Sample.date("2026-03-02"), origin: "banco"), source: "t", time: Date())
            let zero = try EventEnvelope.wrapping(PaymentReceived(paymentID: "ZERO", gruNumber: Sample.gru(1), amount: .zero,
                                                                  paidOn: Sample.date("2026-03-02"), origin: "banco"), source: "t", time: Date())
            let wrongShape = try EventEnvelope.wrapping(PaymentReceived(paymentID: "SHAPE", gruNumber: Sample.gru(3), amount: Sample.money("1,00"),
                                                                        paidOn: Sample.date("2026-03-02"), origin: "banco"), source: "t", time: Date())
            let good = try EventEnvelope.wrapping(PaymentReceived(paymentID: "OK", gruNumber: Sample.gru(2), amount: Sample.money("10.000,00"),
                                                                  paidOn: Sample.date("2026-03-02"), origin: "banco"), source: "t", time: Date())
            let outcome = try await DeadLetterProbe.run(
                handler: fixture.handler, database: fixture.pool, clock: fixture.clock,
                messages: { topic in [
                    OutgoingMessage(topic: topic, key: "k", value: [0x00, 0xFF, 0x13]),
                    DeadLetterProbe.message(wrongShape, topic: topic, payload: Array(#"{"paymentID": "X", "amount": "muito"}"#.utf8)),
                    DeadLetterProbe.message(negative, topic: topic),
                    DeadLetterProbe.message(zero, topic: topic),
                    DeadLetterProbe.message(good, topic: topic),
                ] },
                until: { $0.deadLettered >= 4 && $0.applied >= 1 })
            #expect(outcome.statistics.deadLettered == 4 && outcome.statistics.applied == 1, "\(outcome.statistics)")
            #expect(outcome.deadLetters.map(\.sourceOffset) == [0, 1, 2, 3])
            #expect(outcome.deadLetters[2].error.contains("not positive"), "\(outcome.deadLetters[2].error)")
            #expect(try await fixture.scalar("SELECT string_agg(payment_id, ',') FROM payments") == "OK")
            #expect(try await fixture.state(of: Sample.gru(1)) == "emitida")
            #expect(try await fixture.state(of: Sample.gru(2)) == "paga")
        }
    }
}
