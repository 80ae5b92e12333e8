import Kafka
import Logging
import Metrics
import Runtime
import ServiceLifecycle

/// Sets the `ressus_consumer_lag` gauge (dimensions: consumer = group id, topic; the lag summed
/// over the topic's partitions assigned to that consumer) every `interval`, until graceful
/// shutdown. Closed consumers are skipped; a failed query is logged and retried next round.
public struct ConsumerLagReporter: Service {
    /// How often lag is measured by default.
    public static let defaultInterval: Duration = .seconds(5)

    private let consumers: @Sendable () -> [KafkaConsumer]
    private let interval: Duration
    private let logger: Logger
    private let factory: (any MetricsFactory)?

    /// Reports the consumers `consumers()` returns at each round (e.g. a `ConsumerRegistry`'s),
    /// through `factory` (default: the process's metrics system).
    public init(consumers: @escaping @Sendable () -> [KafkaConsumer], interval: Duration = defaultInterval,
                logger: Logger, factory: (any MetricsFactory)? = nil) {
        self.consumers = consumers
        self.interval = interval
        self.logger = logger
        self.factory = factory
    }

    /// Reports a fixed list of consumers.
    public init(consumers: [KafkaConsumer], interval: Duration = defaultInterval,
                logger: Logger, factory: (any MetricsFactory)? = nil) {
        self.init(consumers: { consumers }, interval: interval, logger: logger, factory: factory)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await reportOnce()
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// Measures every consumer once and sets the gauges.
    public func reportOnce() async {
        for consumer in consumers() {
            do {
                let lags = try await consumer.lag(timeout: .seconds(2))
                var byTopic: [String: Int64] = [:]
                for lag in lags.values { byTopic[lag.topicPartition.topic, default: 0] += lag.lag }
                for (topic, lag) in byTopic {
                    Gauge(label: RuntimeMetrics.consumerLag, dimensions: [("consumer", consumer.groupID), ("topic", topic)],
                          factory: factory ?? MetricsSystem.factory)
                        .record(lag)
                }
            } catch let error as KafkaError where error.name == "CLOSED" {
                continue
            } catch {
                logger.warning("consumer lag not measured", metadata: ["consumer": "\(consumer.groupID)", "error": "\(error)"])
            }
        }
    }
}
