import Foundation

/// Everything a replay measured, written as JSON (and drawn by ``ReplayChart``).
public struct ReplayResult: Sendable, Codable {
    /// One progress sample: seconds since the replay started and the counts then.
    public struct Sample: Sendable, Codable {
        public var seconds: Double
        public var counts: ReplayProbe.Snapshot
        public init(seconds: Double, counts: ReplayProbe.Snapshot) {
            self.seconds = seconds
            self.counts = counts
        }
    }

    /// One stage's wall time and rate.
    public struct Stage: Sendable, Codable {
        public var name: String
        public var seconds: Double
        public var items: Int
        public var perSecond: Double { seconds > 0 ? Double(items) / seconds : 0 }
        public init(name: String, seconds: Double, items: Int) {
            self.name = name
            self.seconds = seconds
            self.items = items
        }

        enum CodingKeys: String, CodingKey { case name, seconds, items, perSecond }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(items, forKey: .items)
            try container.encode(perSecond, forKey: .perSecond)
        }
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            seconds = try container.decode(Double.self, forKey: .seconds)
            items = try container.decode(Int.self, forKey: .items)
        }
    }

    public var atendimentos: Int
    public var operadoras: Int
    public var startedAt: Date
    public var stages: [Stage]
    /// Import → GRUs visible in the portal, wall clock (clock advances included).
    public var endToEnd: Stage
    /// `psql \copy` of the same atendimento rows into a plain table, same run.
    public var ceiling: Stage
    public var ratioToCeiling: Double { ceiling.perSecond > 0 ? endToEnd.perSecond / ceiling.perSecond : 0 }
    public var latencies: [ReplayLatencies.Path]
    public var peakMemoryKiB: [String: Int]
    public var reconciliation: ReplayReconciliation
    public var samples: [Sample]
    public var machine: String
    /// How the files were replayed (`--ondas`, `--taxa`); nil in results written before these options.
    public var plan: Plan?

    /// The replay's pacing options.
    public struct Plan: Sendable, Codable, Equatable {
        public var waves: Int
        /// Target atendimentos/s of the imports; nil: as fast as possible.
        public var targetRate: Int?
        /// Seconds between the starts of consecutive waves (at least the previous wave's import).
        public var waveInterval: Int
        public init(waves: Int, targetRate: Int?, waveInterval: Int) {
            self.waves = waves
            self.targetRate = targetRate
            self.waveInterval = waveInterval
        }
    }

    public init(atendimentos: Int, operadoras: Int, startedAt: Date, stages: [Stage], endToEnd: Stage, ceiling: Stage,
                latencies: [ReplayLatencies.Path], peakMemoryKiB: [String: Int], reconciliation: ReplayReconciliation,
                samples: [Sample], machine: String) {
        self.atendimentos = atendimentos
        self.operadoras = operadoras
        self.startedAt = startedAt
        self.stages = stages
        self.endToEnd = endToEnd
        self.ceiling = ceiling
        self.latencies = latencies
        self.peakMemoryKiB = peakMemoryKiB
        self.reconciliation = reconciliation
        self.samples = samples
        self.machine = machine
    }

    /// The JSON document (sorted keys, ISO 8601 dates).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(ReplayDocument(result: self))
    }

    /// Reads back a document written by ``json()``.
    public static func read(json data: Data) throws -> ReplayResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ReplayDocument.self, from: data).result
    }

    /// The summary the operator reads (Portuguese).
    public var summary: String {
        func rate(_ value: Double) -> String { String(format: "%.0f", value) }
        var lines = ["Resultado da reprodução de carga: \(atendimentos) atendimentos, \(operadoras) operadoras"]
        if let plan {
            let rate = plan.targetRate.map { "taxa alvo \($0) atendimentos/s" } ?? "o mais rápido possível"
            let interval = plan.waves > 1 ? ", ondas a cada \(plan.waveInterval) s no mínimo" : ""
            lines.append("Reprodução: \(plan.waves) onda(s), \(rate)\(interval)")
        }
        lines += ["", "Vazão por etapa:"]
        for stage in stages {
            lines.append("  \(stage.name.padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", stage.seconds)) s  \(rate(stage.perSecond)) itens/s")
        }
        lines.append("  \("ponta a ponta (importação → GRUs no portal)".padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", endToEnd.seconds)) s  \(rate(endToEnd.perSecond)) atendimentos/s")
        lines.append("  \("teto: psql \\copy das mesmas linhas".padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", ceiling.seconds)) s  \(rate(ceiling.perSecond)) linhas/s")
        lines.append(String(format: "  razão ponta a ponta / teto: %.3f", ratioToCeiling))
        lines += ["", "Latências (ms; HdrHistogram):"]
        for path in latencies {
            lines.append("  \(path.description): n=\(path.count) "
                + String(format: "p50=%.1f p90=%.1f p99=%.1f máx=%.1f", path.p50, path.p90, path.p99, path.max))
        }
        lines += ["", "Memória máxima por serviço (VmHWM):"]
        for (service, kib) in peakMemoryKiB.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(service): \(kib / 1024) MiB")
        }
        lines += ["", "Conciliação:"]
        for check in reconciliation.checks {
            lines.append("  [\(check.ok ? "ok" : "DIVERGE")] \(check.name): \(check.left) = \(check.right)")
        }
        lines.append(reconciliation.ok ? "Tudo conciliado." : "HÁ DIVERGÊNCIAS NA CONCILIAÇÃO.")
        return lines.joined(separator: "\n")
    }
}

/// The JSON layout: the result plus the derived ratio.
private struct ReplayDocument: Codable {
    let result: ReplayResult
    init(result: ReplayResult) { self.result = result }
    enum CodingKeys: String, CodingKey { case result, ratioToCeiling }
    init(from decoder: any Decoder) throws {
        result = try decoder.container(keyedBy: CodingKeys.self).decode(ReplayResult.self, forKey: .result)
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(result, forKey: .result)
        try container.encode(result.ratioToCeiling, forKey: .ratioToCeiling)
    }
}
