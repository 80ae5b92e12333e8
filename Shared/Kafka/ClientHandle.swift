import CRdKafka
import Logging

/// A librdkafka client handle (`rd_kafka_t *`). `@unchecked Sendable`: librdkafka documents its
/// handle as safe to use from any thread; the wrapper destroys it only after its own threads stop.
struct ClientHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// What librdkafka's C callbacks need, reached through the handle's opaque pointer.
/// Owned by the producer/consumer/admin object, which outlives the handle.
final class ClientContext: Sendable {
    let logger: Logger
    /// Set for consumers: applies rebalances.
    let rebalance: RebalanceCoordinator?

    init(logger: Logger, rebalance: RebalanceCoordinator? = nil) {
        self.logger = logger
        self.rebalance = rebalance
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        opaque.map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Creates a librdkafka client of `type` from `settings`, with logs routed to swift-log and the
/// context installed as the callbacks' opaque. `configure` may install further callbacks.
func makeClient(
    type: rd_kafka_type_t, settings: [(String, String)], context: ClientContext,
    configure: (OpaquePointer) -> Void = { _ in }
) throws -> ClientHandle {
    guard let conf = rd_kafka_conf_new() else {
        throw KafkaError(wrapper: "CONFIGURATION", message: "rd_kafka_conf_new failed")
    }
    var errorText = [CChar](repeating: 0, count: 512)
    for (name, value) in settings {
        let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
        if result != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.configuration(property: name, value: value, reason: text(of: errorText))
        }
    }
    rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
    installLogging(conf)
    configure(conf)
    // rd_kafka_new takes ownership of conf on success only.
    guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
        rd_kafka_conf_destroy(conf)
        throw KafkaError(wrapper: "CLIENT", message: "rd_kafka_new failed: \(text(of: errorText))")
    }
    return ClientHandle(pointer: handle)
}
