import CRdKafka

/// An error from librdkafka or from the wrapper, with librdkafka's error code when there is one.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The raw `rd_kafka_resp_err_t` value (0 when the wrapper itself raised the error).
    public let code: Int32
    /// librdkafka's name for the code, e.g. `_MSG_TIMED_OUT` (from `rd_kafka_err2name`).
    public let name: String
    /// What failed, in words.
    public let message: String

    init(code: rd_kafka_resp_err_t, message: String) {
        self.code = code.rawValue
        self.name = String(cString: rd_kafka_err2name(code))
        self.message = message
    }

    init(code: rd_kafka_resp_err_t, operation: String) {
        self.init(code: code, message: "\(operation): \(String(cString: rd_kafka_err2str(code)))")
    }

    init(wrapper name: String, message: String) {
        self.code = 0
        self.name = name
        self.message = message
    }

    /// The producer, consumer or admin client was already closed.
    static func closed(_ what: String) -> KafkaError {
        KafkaError(wrapper: "CLOSED", message: "\(what) is closed")
    }

    /// The task was cancelled before the message was handed to librdkafka.
    static let cancelled = KafkaError(wrapper: "CANCELLED", message: "cancelled before it was produced")

    /// An invalid or unknown configuration property.
    static func configuration(property: String, value: String, reason: String) -> KafkaError {
        KafkaError(wrapper: "CONFIGURATION", message: "property \(property)=\(value): \(reason)")
    }

    /// The code as librdkafka's enum.
    public var responseError: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: code) }

    /// True when librdkafka gave up waiting (message or request timed out).
    public var isTimeout: Bool {
        responseError == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || responseError == RD_KAFKA_RESP_ERR__TIMED_OUT
            || responseError == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
    }

    public var description: String { "KafkaError(\(code) \(name)): \(message)" }
}

/// Converts an `rd_kafka_error_t` (destroying it) into a KafkaError, or nil when there was none.
func takeError(_ error: OpaquePointer?, operation: String) -> KafkaError? {
    guard let error else { return nil }
    defer { rd_kafka_error_destroy(error) }
    return KafkaError(code: rd_kafka_error_code(error),
                      message: "\(operation): \(String(cString: rd_kafka_error_string(error)))")
}

/// The NUL-terminated text in a librdkafka error buffer.
func text(of buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
