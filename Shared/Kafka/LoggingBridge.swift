import CRdKafka
import Logging

/// Routes librdkafka's log lines and error events to the client's swift-log Logger.
func installLogging(_ conf: OpaquePointer) {
    rd_kafka_conf_set_log_cb(conf) { handle, level, facility, text in
        guard let handle, let context = ClientContext.from(rd_kafka_opaque(handle)) else { return }
        let facility = facility.map { String(cString: $0) } ?? "-"
        let text = text.map { String(cString: $0) } ?? ""
        context.logger.log(level: logLevel(syslog: level), "librdkafka \(facility): \(text)")
    }
    rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
        guard let context = ClientContext.from(opaque) else { return }
        let error = rd_kafka_resp_err_t(rawValue: code)
        let reason = reason.map { String(cString: $0) } ?? ""
        // Most errors are transient (librdkafka retries); a fatal one stops the client.
        let level: Logger.Level = error == RD_KAFKA_RESP_ERR__FATAL ? .critical : .warning
        context.logger.log(level: level, "librdkafka error \(String(cString: rd_kafka_err2name(error))): \(reason)")
    }
}

/// librdkafka uses syslog levels (0 emergency ... 7 debug).
func logLevel(syslog level: Int32) -> Logger.Level {
    switch level {
    case ...2: .critical
    case 3: .error
    case 4: .warning
    case 5: .notice
    case 6: .info
    default: .debug
    }
}
