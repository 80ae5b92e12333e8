import Metrics

/// Names of the metrics the runtime reports (through swift-metrics; the service host exports them
/// for Prometheus). One place, so dashboards and alerts can rely on them.
public enum RuntimeMetrics {
    /// Counter: events applied by a consumer. Dimensions: consumer, topic.
    public static let eventsConsumed = "ressus_events_consumed_total"
    /// Counter: redelivered events skipped by the inbox. Dimensions: consumer, topic.
    public static let eventsDuplicate = "ressus_events_duplicate_total"
    /// Counter: handler failures (each attempt). Dimensions: consumer, topic.
    public static let eventsFailed = "ressus_events_failed_total"
    /// Counter: events published by the outbox relay. Dimensions: service, topic.
    public static let eventsProduced = "ressus_events_produced_total"
    /// Counter: messages written to a dead-letter topic. Dimensions: consumer, topic (the source).
    public static let deadLetters = "ressus_dead_letters_total"
    /// Timer: time to apply one consumed batch (transaction included). Dimensions: consumer.
    public static let batchDuration = "ressus_consumer_batch_duration_seconds"
    /// Gauge: outbox rows not yet published. Dimensions: service.
    public static let outboxBacklog = "ressus_outbox_backlog"
    /// Gauge: messages behind the end of the log, per consumer group. Dimensions: consumer, topic.
    public static let consumerLag = "ressus_consumer_lag"
    /// Counter: scheduled work items fired. Dimensions: service, kind.
    public static let scheduledFired = "ressus_scheduled_work_fired_total"
    /// Gauge: scheduled work items due and not yet fired. Dimensions: service.
    public static let scheduledDue = "ressus_scheduled_work_due"
}
