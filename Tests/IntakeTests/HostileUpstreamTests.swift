import Foundation
import IntakeCore
import Kafka
import Logging
import Models
import Runtime
import TestSupport
import Testing

/// Hostile messages on the upstream atendimentos topic, through the broker and the intake's real
/// inbox consumer: what cannot be decoded or cannot be right lands in `<topic>.DLT`; hostile rows of
/// a good batch are rejected one by one; the valid rest is applied.
@Suite struct HostileUpstreamTests {
    @Test func undecodableAndImpossibleEventsGoToTheDLTAndTheRestIsApplied() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            let abi = try ABINumber(41)
            func atendimento(_ n: Int, beneficiary: String = "U", quantity: String = "1", value: String = "200.00") -> UpstreamAtendimento {
                var a = UpstreamTests.atendimento(n, value: value)
                a.codigoBeneficiario = beneficiary + "\(n)"
                a.quantidade = quantity
                return a
            }
            let good = try UpstreamTests.envelope(UpstreamAtendimentosIdentified(abi: abi, batch: 1, registroANS: "123456", atendimentos: [
                atendimento(1),
                atendimento(2, beneficiary: "');DROP TABLE abis;--"),
                atendimento(3, beneficiary: "N\u{0}"),
                atendimento(4, quantity: "3000000000"),
                atendimento(5, value: "9999999999999999.99"),
                atendimento(6, value: "-1"),
            ]))
            let wrongShape = try UpstreamTests.envelope(UpstreamAtendimentosIdentified(abi: abi, batch: 2, registroANS: "123456", atendimentos: []))
            let notJSON = try UpstreamTests.envelope(UpstreamAtendimentosIdentified(abi: abi, batch: 3, registroANS: "123456", atendimentos: []))
            let zeroBatches = try UpstreamTests.envelope(UpstreamABIClosed(abi: abi, batchCount: 0))
            let outcome = try await DeadLetterProbe.run(
                handler: UpstreamAtendimentosHandler(logger: Logger(label: "hostile") { _ in SwiftLogNoOpLogHandler() }), database: pool, clock: SimulatedClock(startingAt: Date()),
                messages: { topic in [
                    OutgoingMessage(topic: topic, key: "k", value: Array("não é um evento".utf8)),
                    DeadLetterProbe.message(wrongShape, topic: topic, payload: Array(#"{"abi": "<script>", "batch": 1e99}"#.utf8)),
                    DeadLetterProbe.message(notJSON, topic: topic, payload: [0xFF, 0xFE, 0x00]),
                    DeadLetterProbe.message(zeroBatches, topic: topic),
                    DeadLetterProbe.message(good, topic: topic),
                ] },
                until: { $0.deadLettered >= 4 && $0.applied >= 1 })
            #expect(outcome.statistics.deadLettered == 4 && outcome.statistics.applied == 1, "\(outcome.statistics)")
            #expect(outcome.deadLetters.map(\.sourceOffset) == [0, 1, 2, 3])
            #expect(outcome.deadLetters.allSatisfy { !$0.error.isEmpty })
            #expect(outcome.deadLetters[3].error.contains("batch count 0"), "\(outcome.deadLetters[3].error)")
            // The zero-batch close did not notify the ABI.
            #expect(try await UpstreamTests.notifyStatus(pool, abi: 41) == nil)
            let stored = try await pool.withConnection { c in
                try c.query("SELECT beneficiary_code FROM atendimentos WHERE abi = 41 ORDER BY document").map { try $0.decode(String.self, at: 0) }
            }
            #expect(stored == ["U1", "');DROP TABLE abis;--2"])
            let rejected = try await pool.withConnection { c in
                try c.query("SELECT row_number, reason FROM rejected_rows ORDER BY row_number").map {
                    (try $0.decode(Int.self, at: 0), try $0.decode(String.self, at: 1))
                }
            }
            #expect(rejected.map(\.0) == [3, 4, 5, 6], "\(rejected)")
            for ((_, reason), expected) in zip(rejected, ["codigo_beneficiario: contém caracteres de controle", "quantidade: '3000000000'",
                                                          "valor_sus: R$ 9.999.999.999.999.999,99 passa do máximo",
                                                          "valor_sus: o valor deve ser maior que zero"]) {
                #expect(reason.hasPrefix(expected), "\(reason)")
            }
        }
    }
}
