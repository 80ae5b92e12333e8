import Foundation
import Runtime
import TestSupport
import Testing

/// `ressus relogio` against the real broker and a running ClockSync instance.
@Suite struct ClockSyncCLITests {
    /// Runs `ressus` with `arguments` (never blocking a cooperative thread: the ClockSync under
    /// test needs them meanwhile).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ChildProcess.run("ressus", arguments)
    }

    @Test func advancingWaitsForTheNamedServicesAndShowShowsTheLatestInstant() async throws {
        let kafka = try ClockSyncTests.kafka()
        let topic = "ressus.clock.test-\(UUID().uuidString.prefix(8).lowercased())"
        let clock = SimulatedClock(startingAt: ClockSyncTests.start)
        let running = RunningServices([
            ClockSync(clock: clock, kafka: kafka, serviceName: "delta", instanceID: "d1", scheduler: nil, topic: topic)])

        let advanced = try await Self.run(
            ["relogio", "avancar", "--para", "2026-03-16T10:30", "--aguardar", "delta", "--tempo-limite", "60", "--topico", topic])
        #expect(advanced.status == 0, "stderr: \(advanced.error)")
        #expect(advanced.output.contains("Relógio avançado para 16/03/2026 10:30 (horário de Brasília)."))
        #expect(advanced.output.contains("✓ delta confirmou (instância d1)"))
        #expect(advanced.output.contains("Todos os serviços confirmaram 16/03/2026 10:30"))
        let instant = ISO8601DateFormatter().date(from: "2026-03-16T13:30:00Z")!
        #expect(clock.now == instant)

        let shown = try await Self.run(["relogio", "mostrar", "--topico", topic])
        #expect(shown.status == 0, "stderr: \(shown.error)")
        #expect(shown.output.contains("Relógio simulado: 16/03/2026 10:30 (horário de Brasília)"))
        #expect(shown.output.contains("delta: confirmou 16/03/2026 10:30"))

        let backwards = try await Self.run(["relogio", "avancar", "--dias", "0", "--topico", topic])
        #expect(backwards.status == 1)
        #expect(backwards.error.contains("--dias deve ser positivo"))

        try await running.stop()
        #expect(clock.now == instant)
    }

    @Test func anEarlierInstantIsRefused() async throws {
        let topic = "ressus.clock.test-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try ClockSyncTests.kafka()
        let first = try await Self.run(["relogio", "avancar", "--dias", "10", "--topico", topic])
        #expect(first.status == 0, "stderr: \(first.error)")
        // The default start (RESSUS_CLOCK_START unset in tests) is 02/01/2026 09:00.
        #expect(first.output.contains("Relógio avançado para 12/01/2026 09:00"), "\(first.output)")
        let earlier = try await Self.run(["relogio", "avancar", "--para", "2026-01-05", "--topico", topic])
        #expect(earlier.status == 1)
        #expect(earlier.error.contains("o relógio nunca volta"), "\(earlier.error)")
    }
}

