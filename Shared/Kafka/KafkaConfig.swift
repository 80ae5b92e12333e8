/// Connection settings shared by producers, consumers and the admin client.
///
/// ```swift
/// let config = KafkaConfig(bootstrapServers: brokers, clientID: "ressus-intake")
/// let producer = try KafkaProducer(config: config)
/// let report = try await producer.send(topic: "charges", key: Array(registroANS.utf8), value: json)
///
/// let consumer = try KafkaConsumer(config: config, groupID: "debt-calculator", topics: ["charges"])
/// for try await message in consumer.messages() {
///     try handle(message)          // e.g. inbox + effect in one PostgreSQL transaction
///     try consumer.store(message)  // committed on the next commitStored(), rebalance or close()
/// }
/// ```
public struct KafkaConfig: Sendable {
    /// Comma-separated `host:port` list (`bootstrap.servers`).
    public var bootstrapServers: String
    /// Identifies this process in broker logs (`client.id`).
    public var clientID: String
    /// Any further librdkafka properties, passed verbatim to `rd_kafka_conf_set`. They override the
    /// wrapper's defaults, except the few the wrapper's guarantees depend on (see each client).
    public var properties: [String: String]

    public init(bootstrapServers: String, clientID: String = "ressus", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }
}

/// Policy values of the wrapper, in one place.
public enum KafkaDefaults {
    /// Consumer `session.timeout.ms`. 6 s is Apache Kafka's minimum allowed by default
    /// (`group.min.session.timeout.ms`); Tansu lets a member join in about half of it.
    public static let sessionTimeoutMilliseconds = 6_000
    /// Producer: messages produced but not yet acknowledged before `send` suspends. Equal to
    /// librdkafka's own default queue size (`queue.buffering.max.messages`), so a slow broker is
    /// not starved (a smaller bound caps throughput at bound / acknowledgement latency); each
    /// in-flight message costs its payload plus a few hundred bytes.
    public static let maxInFlightMessages = 100_000
    /// Consumer: messages returned by one `poll` at most.
    public static let pollBatchSize = 500
    /// How long `close()` lets a producer flush outstanding messages.
    public static let closeFlushTimeout: Duration = .seconds(10)
}

extension KafkaConfig {
    /// The properties for one client: wrapper defaults, then the caller's properties, then the
    /// properties the client's guarantees require.
    func settings(defaults: [String: String], required: [String: String]) -> [(String, String)] {
        var merged = defaults
        merged["bootstrap.servers"] = bootstrapServers
        merged["client.id"] = clientID
        for (name, value) in properties { merged[name] = value }
        for (name, value) in required { merged[name] = value }
        return merged.sorted { $0.key < $1.key }
    }
}
