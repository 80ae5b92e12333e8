import Kafka
import Testing

@Suite struct AdminTests {
    @Test func createTopicsTwiceIsIdempotent() async throws {
        let admin = try KafkaAdmin(config: try testConfig(), logger: testLogger)
        let name = uniqueName("admin")
        try await admin.createTopics([TopicSpec(name: name, partitions: 3)])
        try await admin.createTopics([TopicSpec(name: name, partitions: 3)])
        let topics = try await admin.listTopics()
        #expect(topics[name] == 3)
    }

    @Test func deleteTopicRemovesIt() async throws {
        let admin = try KafkaAdmin(config: try testConfig(), logger: testLogger)
        let name = uniqueName("admin-delete")
        try await admin.createTopics([TopicSpec(name: name, partitions: 1)])
        try await admin.deleteTopics([name])
        #expect(try await admin.listTopics()[name] == nil)
    }
}
