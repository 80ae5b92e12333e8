import CRdKafka
import Logging

/// Logs failed offset commits, including background ones (``KafkaConsumer/commitStoredInBackground()``),
/// whose result arrives through librdkafka's offset commit callback while the consumer polls. A
/// failed commit loses nothing: the offsets stay stored and the next commit sends them again.
func installCommitLogging(_ conf: OpaquePointer) {
    rd_kafka_conf_set_offset_commit_cb(conf) { _, error, _, opaque in
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR, error != RD_KAFKA_RESP_ERR__NO_OFFSET,
              let context = ClientContext.from(opaque) else { return }
        context.logger.warning("offset commit failed; the stored offsets are committed again later",
                               metadata: ["error": "\(String(cString: rd_kafka_err2name(error)))"])
    }
}
