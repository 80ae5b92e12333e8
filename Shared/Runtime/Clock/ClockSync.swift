import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Keeps one service instance's ``SimulatedClock`` on the shared business clock (`RESSUS_CLOCK=simulated`).
///
/// Follows the clock topic from the beginning with a consumer group of its own, so a late or
/// restarted instance replays every advance. Each `clock.advanced` moves the clock forward (an
/// earlier instant never moves it back) and, when it moved, fires the scheduled work due by then,
/// advance by advance, so every run sees the same sequence of instants. After a batch of advances,
/// and only once everything due has been fired, the instance publishes `clock.acknowledged` with
/// its clock's instant.
public final class ClockSync: Service, Sendable {
    private let clock: SimulatedClock
    private let kafka: KafkaConfig
    private let serviceName: String
    public let instanceID: String
    private let scheduler: SchedulerWorker?
    private let topic: String
    private let logger: Logger

    /// - Parameters:
    ///   - clock: the service's business clock (the same object the scheduler and handlers use).
    ///   - serviceName: named in acknowledgements (`ressus relogio avancar --aguardar` waits for it).
    ///   - instanceID: this process, in acknowledgements and the consumer group id.
    ///   - scheduler: drained after each advance before acknowledging (nil: nothing to fire).
    public init(
        clock: SimulatedClock, kafka: KafkaConfig, serviceName: String, instanceID: String = ClockSync.defaultInstanceID(),
        scheduler: SchedulerWorker?, topic: String = ClockTopic.name, logger: Logger = Logger(label: "ressus.clock")
    ) {
        self.clock = clock
        self.kafka = kafka
        self.serviceName = serviceName
        self.instanceID = instanceID
        self.scheduler = scheduler
        self.topic = topic
        self.logger = logger
    }

    /// Host name, process id and a random suffix: unique per process.
    public static func defaultInstanceID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6).lowercased())"
    }

    public func run() async throws {
        let follower = try await ClockTopicFollower(
            kafka: kafka, topic: topic, groupPrefix: "ressus-clock-\(serviceName)-\(instanceID)", logger: logger)
        let producer = try KafkaProducer(config: kafka, logger: logger)
        logger.info("following the shared clock", metadata: ["topic": "\(topic)", "instant": "\(clock.now)"])
        var undrained = false  // the clock moved but firing what is due failed; retried before acknowledging
        var unacknowledged = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if undrained {
                    try await drain()
                    undrained = false
                }
                for event in try await follower.poll(timeout: .milliseconds(200)) {
                    guard case .advanced(let advance) = event else { continue }
                    unacknowledged = true
                    guard clock.advance(to: advance.instant) else { continue }
                    logger.info("clock advanced", metadata: ["instant": "\(advance.instant)"])
                    if undrained { continue }
                    do { try await drain() } catch {
                        undrained = true
                        logger.warning("firing due work failed; will retry", metadata: ["error": "\(error)"])
                    }
                }
                if unacknowledged && !undrained {
                    let ack = ClockAcknowledged(service: serviceName, instance: instanceID, instant: clock.now)
                    _ = try await producer.send(ClockTopic.message(ack, source: "ressus/\(serviceName)", time: ack.instant, topic: topic))
                    unacknowledged = false
                }
            } catch {
                logger.warning("clock sync failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await follower.close()
        await producer.close()
    }

    private func drain() async throws {
        guard let scheduler else { return }
        let report = try await scheduler.fireDue()
        if report.stillDue > 0 {
            logger.warning("scheduled work still due after firing", metadata: [
                "instant": "\(report.now)", "still_due": "\(report.stillDue)"])
        }
    }
}
