import Kafka
import Testing

@Test func loadedLibrdkafkaMatchesHeaders() {
    #expect(LibrdkafkaVersion.loaded == LibrdkafkaVersion.header,
            "loaded \(LibrdkafkaVersion.loadedString), compiled against \(String(LibrdkafkaVersion.header, radix: 16))")
}
