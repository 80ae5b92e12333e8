#include <librdkafka/rdkafka.h>

/* rd_kafka_producev's RD_KAFKA_V_* arguments are C varargs macros, which Swift cannot import.
 * This wrapper produces one message, copying key and value (RD_KAFKA_MSG_F_COPY).
 * On success librdkafka owns `headers` (may be NULL); on failure the caller still owns them.
 * Uses only API present in librdkafka 2.0.2. */
static inline rd_kafka_resp_err_t ressus_rd_kafka_produce(rd_kafka_t *rk, const char *topic,
                                                          int32_t partition, const void *key,
                                                          size_t key_len, const void *value,
                                                          size_t value_len,
                                                          rd_kafka_headers_t *headers,
                                                          void *msg_opaque) {
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(msg_opaque),
                             RD_KAFKA_V_END);
}
