import Metrics
import Prometheus

/// swift-metrics → Prometheus for a service process: every `Counter`, `Gauge` and `Timer` the
/// runtime creates (names in `RuntimeMetrics`) lands in one registry that `GET /metrics` exports.
public enum ServiceMetrics {
    /// Histogram buckets for every swift-metrics `Timer`, exported in seconds (`le="0.005"` …):
    /// from a fast single-row transaction to a slow batch close to the shutdown bound.
    public static let timerBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    /// Counter: HTTP requests served by the service's endpoint. Dimensions: path, method, status.
    public static let httpRequests = "ressus_http_requests_total"

    /// A swift-metrics factory writing into `registry`, timers as histograms with `timerBuckets`.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = timerBuckets
        return factory
    }

    private static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(makeFactory(registry: registry))
        return registry
    }()

    /// Installs the Prometheus factory as the process's metrics backend (once; later calls return
    /// the same registry) and returns the registry to export.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry { processRegistry }
}
