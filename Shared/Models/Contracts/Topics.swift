/// The Kafka topics between the services, with their partition counts. Every event on a topic is
/// keyed by the operadora's registro ANS, so one operadora's events stay in order.
public enum Topics {
    /// Operadoras registered or updated (intake).
    public static let operadoras = TopicDefinition(name: "ressus.operadoras", partitions: 6)
    /// Identified atendimentos published by upstream systems (input of intake).
    public static let upstreamAtendimentos = TopicDefinition(name: "ressus.upstream.atendimentos", partitions: 6)
    /// Notifications (Ofício ABI) and their atendimentos (intake).
    public static let notifications = TopicDefinition(name: "ressus.notifications", partitions: 6)
    /// Ciência, impugnações, recursos, decisions and chargeable atendimentos (deadlines).
    public static let deadlines = TopicDefinition(name: "ressus.deadlines", partitions: 6)

    /// Charges, GRUs, payments, parcelamentos, CADIN and SELIC updates (debt calculator).
    public static let debts = TopicDefinition(name: "ressus.debts", partitions: 6)
    /// Payments published by upstream systems (input of the debt calculator).
    public static let upstreamPayments = TopicDefinition(name: "ressus.upstream.payments", partitions: 6)
    /// Repasses to the FNS (FNS transfer recorder).
    public static let fns = TopicDefinition(name: "ressus.fns", partitions: 6)

    /// Requests operadoras make in the portal, e.g. ciência of a notification (report publisher).
    public static let portalRequests = TopicDefinition(name: "ressus.portal.requests", partitions: 6)

    public static let all = [
        operadoras, upstreamAtendimentos, notifications, deadlines, debts, upstreamPayments, fns, portalRequests,
    ]
}

/// A topic's name and partition count.
public struct TopicDefinition: Sendable, Hashable {
    public let name: String
    public let partitions: Int
}
