import FNSTransferCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Kafka
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// The FNS service's parts running together against the real Tansu and PostgreSQL: events in
/// through the broker (inbox consumer on private topics), repasses out through the outbox relay,
/// the scheduler under a simulated clock, the CLI as a subprocess, and the public page over HTTP,
/// rendered by headless Chromium.
@Suite(.serialized) struct FNSServiceTests {
    @Test func cycleThroughTheBroker() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let debts = "fns-test-debts-\(suffix)", notifications = "fns-test-notif-\(suffix)", output = "fns-test-out-\(suffix)"
        let kafka = KafkaConfig(bootstrapServers: try TestEnvironment.kafkaBrokers(), clientID: "fns-tests")
        let admin = try KafkaAdmin(config: kafka, logger: quietLogger)
        let topics = [debts, notifications, output]
        try await admin.createTopics(topics.map { TopicSpec(name: $0, partitions: 2) })
        let fixture = try await FNSFixture.make(startingOn: Sample.date("2026-03-02"), outputTopic: output)
        let consumer = InboxConsumer(name: "fns-test-\(suffix)", topics: [debts, notifications], handler: fixture.handler,
                                     database: fixture.pool, kafka: kafka, clock: fixture.clock, logger: quietLogger)
        let relay = OutboxRelay(service: "fns-test-\(suffix)", database: fixture.pool.configuration, kafka: kafka, logger: quietLogger)
        let site = PublicSite(pool: fixture.pool, clock: fixture.clock, settings: fixture.settings)
        let running = RunningServices([consumer, relay, fixture.scheduler, site.application], logger: quietLogger)
        do {
            try await Scenario(fixture: fixture, kafka: kafka, debts: debts, notifications: notifications, output: output,
                               suffix: String(suffix), site: site).run()
        } catch {
            await stop(running, fixture: fixture, admin: admin, topics: topics)
            throw error
        }
        await stop(running, fixture: fixture, admin: admin, topics: topics)
    }

    private func stop(_ running: RunningServices, fixture: FNSFixture, admin: KafkaAdmin, topics: [String]) async {
        try? await running.stop()
        await fixture.tearDown()
        try? await admin.deleteTopics(topics + topics.map { "\($0).DLT" })
    }
}

/// The public routes on a loopback port chosen by the system.
final class PublicSite: @unchecked Sendable {
    let application: Application<RouterResponder<BasicRequestContext>>
    private let portBox = PortBox()

    init(pool: PostgresPool, clock: SimulatedClock, settings: FNSSettings) {
        let router = Router()
        FNSPublicRoutes.register(on: router, database: pool, settings: settings, today: { clock.today })
        let box = portBox
        application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in box.set(channel.localAddress?.port ?? 0) }, logger: quietLogger)
    }

    func url(_ path: String) async throws -> URL {
        try await waitUntil("the public site listening", timeout: .seconds(20)) { portBox.get() > 0 }
        return URL(string: "http://127.0.0.1:\(portBox.get())\(path)")!
    }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    func set(_ value: Int) { lock.withLock { port = value } }
    func get() -> Int { lock.withLock { port } }
}
