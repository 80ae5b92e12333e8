import Foundation
import IntakeCore
import Models
import Postgres
import Runtime
import Testing

/// Splitting an ABI into notifications per operadora, fired by the real scheduler worker.
@Suite struct NotificationTests {
    /// Monday 2026-03-02 is a business day; Saturday 2026-03-07 is not (next: Monday 2026-03-09).
    static func instant(_ date: String, hour: Int = 10) throws -> Date {
        BusinessTimeZone.startOfDay(try CivilDate(parsing: date)).addingTimeInterval(TimeInterval(hour * 3600))
    }

    /// Imports `counts[registro]` generated atendimentos for ABI `abi`.
    static func importABI(_ abi: Int, counts: [(String, Int)], pool: PostgresPool) async throws {
        let directory = try Samples.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = [Samples.header]
        var n = abi * 100_000
        for (registro, count) in counts {
            for _ in 0..<count {
                n += 1
                lines.append(Samples.row(abi: abi, registro: registro, n: n, value: "10.01"))
            }
        }
        let file = try Samples.write(lines.joined(separator: "\n") + "\n", named: "abi.csv", in: directory)
        _ = try await pool.withConnection { connection in
            _ = try ABIImporter().importFile(file, abi: nil, reportURL: directory.appendingPathComponent("r.csv"), on: connection)
            _ = try connection.withTransaction { try NotifyABIHandler.schedule(try ABINumber(abi), dueAt: Date(timeIntervalSince1970: 0), on: $0) }
        }
    }

    @Test func anABIIsSplitPerOperadoraIntoBoundedBatchesInOrder() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            try await Self.importABI(7, counts: [("234567", 1_201), ("123456", 3)], pool: pool)
            let clock = SimulatedClock(startingAt: try Self.instant("2026-03-07"))
            // Small rounds: the 1,204 atendimentos take several scheduled rounds (transactions).
            let worker = SchedulerWorker(database: pool, clock: clock, handlers: [NotifyABIHandler(atendimentosPerRound: 400)],
                                         serviceName: "intake-test")
            let report = try await worker.fireDue()
            #expect(report.failures == 0)
            #expect(report.fired == 3)  // 123456 (3) + batch 1 (500), then batch 2 (500), then batch 3 (201)

            let issued = try await IntakeTestDatabase.outbox(pool, type: NotificationIssued.eventType)
                .map { try $0.decode(NotificationIssued.self) }
            #expect(issued.map(\.registroANS.value) == ["123456", "234567"])
            #expect(issued.map(\.batchCount) == [1, 3])
            #expect(issued.map(\.atendimentoCount) == [3, 1_201])
            #expect(issued.allSatisfy { $0.availableOn == (try? CivilDate(parsing: "2026-03-09")) })
            // 10.01 × 1.5 = 15.015 → 15.02 each
            #expect(issued[1].totalToReimburse == Money(centavos: 1_502 * 1_201))

            let batches = try await IntakeTestDatabase.outbox(pool, type: NotificationAtendimentos.eventType)
                .map { try $0.decode(NotificationAtendimentos.self) }
            let big = batches.filter { $0.registroANS.value == "234567" }
            #expect(big.map(\.batch) == [1, 2, 3])
            #expect(big.map(\.atendimentos.count) == [500, 500, 201])
            let documents = big.flatMap(\.atendimentos).map(\.document.value)
            #expect(documents == documents.sorted() && Set(documents).count == 1_201)
            #expect(batches.allSatisfy { $0.atendimentos.count <= NotificationAtendimentos.maximumBatchSize })

            // Per operadora the issued event comes before its batches in the outbox order.
            let order = try await pool.withConnection { connection in
                try connection.query("SELECT event_type FROM outbox WHERE partition_key = '234567' AND topic = $1 ORDER BY seq",
                                     [Topics.notifications.name]).map { try $0.decode(String.self, at: 0) }
            }
            #expect(order.first == NotificationIssued.eventType.description && order.count == 4)
            let states = try await IntakeTestDatabase.count(pool, "SELECT count(*) FROM notifications WHERE state = 'issued'")
            #expect(states == 2)
            let progress = try await pool.withConnection { try NotificationProgress.read(try ABINumber(7), on: $0) }
            #expect(progress.finished && progress.issued == 2)

            // Scheduling again after it fired changes nothing.
            let again = try await pool.withConnection { try NotifyABIHandler.schedule(try ABINumber(7), dueAt: Date(), on: $0) }
            #expect(again == .alreadyFired)
        }
    }

    @Test func onABusinessDayTheNotificationIsAvailableThatDay() async throws {
        try await IntakeTestDatabase.withSchema { pool, _ in
            try await IntakeTestDatabase.registerSampleOperadoras(pool)
            try await Self.importABI(8, counts: [("345678", 2)], pool: pool)
            let worker = SchedulerWorker(database: pool, clock: SimulatedClock(startingAt: try Self.instant("2026-03-02")),
                                         handlers: [NotifyABIHandler()], serviceName: "intake-test")
            #expect(try await worker.fireDue().fired == 1)
            let issued = try await IntakeTestDatabase.outbox(pool, type: NotificationIssued.eventType)
            #expect(try issued.map { try $0.decode(NotificationIssued.self).availableOn } == [try CivilDate(parsing: "2026-03-02")])
        }
    }
}
