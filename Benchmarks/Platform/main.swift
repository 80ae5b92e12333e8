import Foundation

// platform-benchmark: the Kafka wrapper against a raw librdkafka loop, and COPY through the
// PostgreSQL wrapper against `psql \copy`, in one run. Needs RESSUS_KAFKA_BROKERS and
// RESSUS_DATABASE_URL (`make benchmark` sets them from the local infrastructure).
let environment = ProcessInfo.processInfo.environment
guard let brokers = environment["RESSUS_KAFKA_BROKERS"], let databaseURL = environment["RESSUS_DATABASE_URL"] else {
    FileHandle.standardError.write(Data("platform-benchmark: set RESSUS_KAFKA_BROKERS and RESSUS_DATABASE_URL (or run make benchmark)\n".utf8))
    exit(2)
}
print("== Kafka: wrapper vs raw librdkafka")
try await KafkaBenchmark.run(brokers: brokers)
print("")
print("== PostgreSQL: COPY through the wrapper vs psql \\copy")
try await CopyBenchmark.run(databaseURL: databaseURL)
