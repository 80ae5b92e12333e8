import Foundation
import Models

/// The shared simulated clock's topic: one partition, so every reader sees advances in order.
public enum ClockTopic {
    /// The topic's name.
    public static let name = "ressus.clock"
    /// Partition key of every clock event.
    public static let partitionKey = "clock"
}

/// The operator moved the shared simulated clock to `instant` (published by `ressus relogio avancar`).
/// Instants travel as ISO 8601 with whole seconds.
public struct ClockAdvanced: DomainEvent, Equatable {
    public static let eventType = EventType.ressus("clock.advanced", version: 1)
    public var instant: Date
    public var partitionKey: String { ClockTopic.partitionKey }

    public init(instant: Date) { self.instant = instant }
}

/// A service instance has its clock at `instant` and has fired all scheduled work due by then.
public struct ClockAcknowledged: DomainEvent, Equatable {
    public static let eventType = EventType.ressus("clock.acknowledged", version: 1)
    /// The service's name (`ServiceDescriptor.name`).
    public var service: String
    /// The instance that acknowledges (one per process).
    public var instance: String
    public var instant: Date
    public var partitionKey: String { ClockTopic.partitionKey }

    public init(service: String, instance: String, instant: Date) {
        self.service = service
        self.instance = instance
        self.instant = instant
    }
}
