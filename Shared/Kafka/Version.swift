import CRdKafka

/// Versions of librdkafka: the one compiled against and the one loaded at run time.
public enum LibrdkafkaVersion {
    /// The version of the headers this module was compiled against (`RD_KAFKA_VERSION`).
    public static var header: Int { Int(RD_KAFKA_VERSION) }
    /// The version of the library loaded at run time (`rd_kafka_version()`).
    public static var loaded: Int { Int(rd_kafka_version()) }
    /// The loaded version as text, e.g. "2.8.0".
    public static var loadedString: String { String(cString: rd_kafka_version_str()) }
}
