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
///
/// When the broker lost its data (``BrokerWatch``), the instance follows the new clock topic and
/// publishes its own instant there as an advance, so instances started later catch up to it.
public final class ClockSync: Service, Sendable {
    private let clock: SimulatedClock
    private let kafka: KafkaConfig
    private let serviceName: String
    public let instanceID: String
    private let scheduler: SchedulerWorker?
    private let topic: String
    private let logger: Logger
    private let caughtUpSignal = OneTimeSignal()

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

    /// Returns once this instance has read the clock topic to its end at startup (its clock is then
    /// at the latest published instant, and what was due by then has been fired). Components whose
    /// results depend on "now" (event consumers) should wait for it, so a restarted instance never
    /// works with the start instant while the shared clock is months ahead.
    public func caughtUp() async { await caughtUpSignal.wait() }

    public func run() async throws {
        var watch = try BrokerWatch(kafka: kafka, logger: logger)
        var follower = try await makeFollower()
        var producer = try KafkaProducer(config: kafka, logger: logger)
        logger.info("following the shared clock", metadata: ["topic": "\(topic)", "instant": "\(clock.now)"])
        var state = State()
        var caughtUp = false
        var rejoin = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if await watch.brokerReplaced() { rejoin = true }
                if rejoin {
                    // The clock topic is gone with the broker's data: follow the new one and put
                    // this instance's instant back on it (an advance never moves a clock back).
                    await follower.close()
                    await producer.close(flushTimeout: .zero)
                    follower = try await makeFollower()
                    producer = try KafkaProducer(config: kafka, logger: logger)
                    let advance = ClockAdvanced(instant: clock.now)
                    _ = try await producer.send(ClockTopic.message(
                        advance, source: "ressus/\(serviceName)", time: advance.instant, topic: topic))
                    rejoin = false
                    logger.warning("clock re-published on the new cluster", metadata: ["instant": "\(clock.now)"])
                }
                if state.undrained {
                    try await drain()
                    state.undrained = false
                }
                let events = caughtUp ? try await follower.poll(timeout: .milliseconds(200)) : try await follower.catchUp()
                await apply(events, to: &state)
                if state.unacknowledged && !state.undrained {
                    let ack = ClockAcknowledged(service: serviceName, instance: instanceID, instant: clock.now)
                    _ = try await producer.send(ClockTopic.message(ack, source: "ressus/\(serviceName)", time: ack.instant, topic: topic))
                    state.unacknowledged = false
                }
                if !caughtUp && !state.undrained {
                    caughtUp = true
                    caughtUpSignal.fire()
                    logger.info("caught up with the shared clock", metadata: ["instant": "\(clock.now)"])
                }
            } catch {
                logger.warning("clock sync failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await follower.close()
        await producer.close()
    }

    private func makeFollower() async throws -> ClockTopicFollower {
        try await ClockTopicFollower(
            kafka: kafka, topic: topic, groupPrefix: "ressus-clock-\(serviceName)-\(instanceID)", logger: logger)
    }

    private struct State {
        /// The clock moved but firing what is due failed; retried before acknowledging.
        var undrained = false
        /// An advance was read and not yet acknowledged.
        var unacknowledged = false
    }

    /// Moves the clock through each advance in order, firing what is due at each instant.
    private func apply(_ events: [ClockEvent], to state: inout State) async {
        for event in events {
            guard case .advanced(let advance) = event else { continue }
            state.unacknowledged = true
            guard clock.advance(to: advance.instant) else { continue }
            logger.info("clock advanced", metadata: ["instant": "\(advance.instant)"])
            if state.undrained { continue }
            do { try await drain() } catch {
                state.undrained = true
                logger.warning("firing due work failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    private func drain() async throws {
        guard let scheduler else { return }
        let report = try await scheduler.fireDue()
        guard report.complete else { throw ClockTopicError(message: "shutting down before all due work was fired") }
        if report.stillDue > 0 {
            logger.warning("scheduled work still due after firing", metadata: [
                "instant": "\(report.now)", "still_due": "\(report.stillDue)"])
        }
    }
}

/// Fires once; `wait()` returns after that.
final class OneTimeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false  // guarded by lock
    private var waiters: [CheckedContinuation<Void, Never>] = []  // guarded by lock

    func fire() {
        let waiting = lock.withLock {
            fired = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = lock.withLock {
                if fired { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
