import BenchmarkSupport
import Foundation
import Models

/// The benchmark's chargeable atendimentos: `eventCount` events of `perEvent` atendimentos; the first
/// `largestEvents` events belong to operadora 100000 (one GRU each), the rest to 99 others.
struct Workload {
    let atendimentos: Int
    let perEvent: Int
    let largest: Int

    init(atendimentos: Int, perEvent: Int, largest: Int) {
        self.atendimentos = atendimentos
        self.perEvent = max(1, perEvent)
        self.largest = largest
    }

    var eventCount: Int { (atendimentos + perEvent - 1) / perEvent }
    var largestEvents: Int { min(largest, eventCount) }

    func registro(event: Int) -> String {
        event < largestEvents ? "100000" : "2000" + String(format: "%02d", event % 99)
    }

    /// 13 digits: "5" + the atendimento's index.
    func document(_ index: Int) -> String { "5" + String(format: "%012d", index) }

    /// About R$ 1.400,00 (DOMAIN §10), varying by centavos.
    func amount(_ index: Int) -> Int64 { 140_000 + Int64(index % 997) }

    func event(_ number: Int) throws -> AtendimentosChargeable {
        let range = (number * perEvent)..<min((number + 1) * perEvent, atendimentos)
        return AtendimentosChargeable(
            abi: try ABINumber(number % 1000 + 1), registroANS: try RegistroANS(registro(event: number)),
            atendimentos: try range.map {
                let amount = Money(centavos: amount($0))
                return ChargeableAtendimento(document: try SUSDocumentNumber(document($0)),
                                             competencia: try YearMonth(parsing: "2025-10"), outcome: .notImpugned,
                                             originalAmount: amount, finalAmount: amount)
            },
            originalDueDate: try CivilDate(parsing: "2026-03-16"), paymentDueDate: try CivilDate(parsing: "2026-03-16"),
            chargeableOn: try CivilDate(parsing: "2026-03-02"))
    }
}

/// `psql \copy` of `rows` generated rows into a fresh table: the ceiling (rows/s of the whole psql run).
enum PsqlCopy {
    static func measure(databaseURL: String, schema: String, table: String, columns: String, rows: Int,
                        line: (Int) -> String) async throws -> Double {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(schema)-\(table).tsv")
        defer { try? FileManager.default.removeItem(at: file) }
        var text = ""
        text.reserveCapacity(rows * 48)
        for index in 0..<rows { text += line(index) }
        try text.write(to: file, atomically: true, encoding: .utf8)
        try await runPsql(databaseURL, "CREATE TABLE \(schema).\(table) (\(columns))")
        let start = ContinuousClock.now
        try await runPsql(databaseURL, "\\copy \(schema).\(table) FROM '\(file.path)'")
        let elapsed = ContinuousClock.now - start
        return Double(rows) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
