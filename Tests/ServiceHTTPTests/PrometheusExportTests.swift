import Metrics
import Prometheus
import Runtime
import ServiceHTTP
import Testing

/// swift-metrics values reach the Prometheus text format with their dimensions; timers become
/// histograms in seconds with the buckets from `ServiceMetrics.timerBuckets`.
@Suite struct PrometheusExportTests {
    let registry = PrometheusCollectorRegistry()
    var factory: PrometheusMetricsFactory { ServiceMetrics.makeFactory(registry: registry) }

    func lines(named name: String) -> [String] {
        registry.emitToString().split(separator: "\n").map(String.init).filter { $0.hasPrefix(name) }
    }

    @Test func counterWithDimensions() {
        let counter = Counter(label: RuntimeMetrics.eventsConsumed,
                              dimensions: [("consumer", "intake"), ("topic", "claims")], factory: factory)
        counter.increment(by: 3)
        counter.increment()
        #expect(lines(named: RuntimeMetrics.eventsConsumed) == [#"ressus_events_consumed_total{consumer="intake",topic="claims"} 4"#])
        #expect(registry.emitToString().contains("# TYPE ressus_events_consumed_total counter"))
    }

    @Test func gaugeWithDimensions() throws {
        let gauge = Gauge(label: RuntimeMetrics.outboxBacklog, dimensions: [("service", "deadlines")], factory: factory)
        gauge.record(17)
        gauge.record(12)
        let line = try #require(lines(named: RuntimeMetrics.outboxBacklog).first)
        #expect(line.hasPrefix(#"ressus_outbox_backlog{service="deadlines"} "#))
        #expect(Double(line.split(separator: " ").last ?? "") == 12)
        #expect(registry.emitToString().contains("# TYPE ressus_outbox_backlog gauge"))
    }

    @Test func timerIsAHistogramInSeconds() throws {
        let timer = Metrics.Timer(label: RuntimeMetrics.batchDuration, dimensions: [("consumer", "fns-transfer")], factory: factory)
        timer.recordMilliseconds(30)   // in the 0.05 s bucket
        timer.recordMilliseconds(700)  // in the 1 s bucket
        let text = registry.emitToString()
        #expect(text.contains("# TYPE ressus_consumer_batch_duration_seconds histogram"))

        func bucket(_ le: String) throws -> Double {
            let prefix = #"ressus_consumer_batch_duration_seconds_bucket{consumer="fns-transfer",le="\#(le)"} "#
            let line = try #require(lines(named: prefix).first, "no bucket le=\(le) in:\n\(text)")
            return try #require(Double(line.dropFirst(prefix.count)))
        }
        #expect(try bucket("0.025") == 0)
        #expect(try bucket("0.05") == 1)
        #expect(try bucket("0.5") == 1)
        #expect(try bucket("1.0") == 2)
        #expect(try bucket("+Inf") == 2)
        #expect(ServiceMetrics.timerBuckets.count + 1 == lines(named: "ressus_consumer_batch_duration_seconds_bucket").count)

        let sumPrefix = #"ressus_consumer_batch_duration_seconds_sum{consumer="fns-transfer"} "#
        let sum = try #require(lines(named: sumPrefix).first.flatMap { Double($0.dropFirst(sumPrefix.count)) })
        #expect(abs(sum - 0.73) < 0.000_001)
        #expect(lines(named: #"ressus_consumer_batch_duration_seconds_count{consumer="fns-transfer"} 2"#).count == 1)
    }
}
