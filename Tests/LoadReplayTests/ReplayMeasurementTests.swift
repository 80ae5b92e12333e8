import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import LoadReplay
import Testing

/// The replay's measuring parts that need no running stack: HdrHistogram percentiles, the peak
/// memory read from /proc, and the JSON and SVG documents (the end-to-end run is in
/// Tests/DeployTests/LoadReplayTests.swift).
@Suite struct ReplayMeasurementTests {
    @Test func percentilesComeFromTheHistogramOfTheRecordedLatencies() {
        // 1 ms … 1000 ms, one value each: p50 ≈ 500 ms, p99 ≈ 990 ms, max 1000 ms (3 significant digits).
        let path = ReplayLatencies.path("x", "teste", microseconds: (1...1000).map { Int64($0) * 1000 })
        #expect(path.count == 1000)
        #expect(abs(path.p50 - 500) <= 1)
        #expect(abs(path.p90 - 900) <= 1)
        #expect(abs(path.p99 - 990) <= 1)
        #expect(abs(path.max - 1000) <= 1)
        #expect(path.curve.map { $0[0] } == [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 100])
        #expect(path.curve.map { $0[1] } == path.curve.map { $0[1] }.sorted(), "percentile curve must not decrease")
        // No values: zeros, not a crash.
        let empty = ReplayLatencies.path("y", "vazio", microseconds: [])
        #expect(empty.count == 0 && empty.p99 == 0)
    }

    @Test func peakMemoryIsReadFromProcStatusOfEachPidFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ressus-pids-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let own = Int(ProcessInfo.processInfo.processIdentifier)
        try "\(own)\n".write(to: directory.appendingPathComponent("intake.pid"), atomically: true, encoding: .utf8)
        try "999999999\n".write(to: directory.appendingPathComponent("gone.pid"), atomically: true, encoding: .utf8)
        try "x".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let peaks = ServiceMemory.peakKiB(pidDirectory: directory.path)
        #expect(Set(peaks.keys) == ["intake"])
        let peak = try #require(peaks["intake"])
        // This test process has at least 1 MiB resident and less than 64 GiB.
        #expect(peak > 1024 && peak < 64 << 20)
        #expect(ServiceMemory.peakKiB(pid: 999_999_999) == nil)
    }

    @Test func resultRoundTripsThroughJSONAndTheChartIsWellFormedSVG() throws {
        let result = Self.sampleResult()
        let data = try result.json()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ratio = try #require(object["ratioToCeiling"] as? Double)
        #expect(abs(ratio - (100.0 / 10.0) / (100.0 / 0.5)) < 1e-9)
        let decoded = try ReplayResult.read(json: data)
        #expect(decoded.atendimentos == 100 && decoded.samples.count == 3)
        #expect(decoded.reconciliation.ok == false, "the divergent check must survive the round trip")

        let svg = ReplayChart.svg(result)
        let delegate = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        #expect(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(delegate.names.first == "svg")
        // One throughput line per stage that moved, one latency curve per path.
        #expect(delegate.names.filter { $0 == "polyline" }.count == 5 + 1)

        #expect(result.summary.contains("HÁ DIVERGÊNCIAS"))
    }

    static func sampleResult() -> ReplayResult {
        func snapshot(_ n: Int) -> ReplayProbe.Snapshot {
            .init(received: n, notified: n, released: n, grusIssued: n / 10, grusVisible: n / 10,
                  unsent: 0, unconsumed: 0, deadLettered: 0)
        }
        let reconciliation = ReplayReconciliation(
            checks: [.init(name: "a", left: 1, right: 1), .init(name: "b", left: 2, right: 3)], principalByState: ["paga": 5])
        return ReplayResult(
            atendimentos: 100, operadoras: 3, startedAt: Date(timeIntervalSince1970: 1_800_000_000),
            stages: [.init(name: "importação", seconds: 2, items: 100)],
            endToEnd: .init(name: "ponta a ponta", seconds: 10, items: 100),
            ceiling: .init(name: "teto", seconds: 0.5, items: 100),
            latencies: [ReplayLatencies.path("p", "caminho", microseconds: [1000, 2000, 3000])],
            peakMemoryKiB: ["intake": 2048], reconciliation: reconciliation,
            samples: [.init(seconds: 0, counts: snapshot(0)), .init(seconds: 1, counts: snapshot(50)),
                      .init(seconds: 2, counts: snapshot(100))],
            machine: "teste")
    }
}

/// Records the element names an XML parser meets, in order.
final class ElementCounter: NSObject, XMLParserDelegate {
    var names: [String] = []
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        names.append(elementName)
    }

    @Test func theProbeReadsAgainOnlyAfterTwentyTimesWhatItsLastReadTook() {
        var budget = ReplayProbeBudget()
        #expect(budget.allows(at: 0))
        budget.record(start: 10, cost: 0.25)  // 0.25 s at a 5% share: the next read 5 s later
        #expect(!budget.allows(at: 14.9))
        #expect(budget.allows(at: 15))
        // A cheap read is held to the minimum interval asked for; a costly one to its share.
        budget.record(start: 20, cost: 0.01)
        #expect(!budget.allows(at: 34, minimumInterval: 15))
        #expect(budget.allows(at: 35, minimumInterval: 15))
        budget.record(start: 40, cost: 2)
        #expect(!budget.allows(at: 79, minimumInterval: 15))
        #expect(budget.allows(at: 80, minimumInterval: 15))
    }
}
