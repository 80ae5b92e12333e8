import Foundation

// What the operadoras' portal (report publisher) asks of other services. Keyed by registro ANS.

/// An operadora gave ciência of a notification (Ofício ABI) in the portal on `requestedOn` (the
/// portal's business date). The deadlines service registers it like an explicit ciência from the
/// operator CLI (`OperatorRequest.ciencia`): the earlier of this date and the tacit ciência counts
/// (RN 377/2015), and it publishes `NotificationCienciaRegistered` when accepted.
public struct PortalCienciaRequested: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("portal.ciencia-requested", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var requestedOn: CivilDate
    /// The CNPJ root of the portal account that gave it.
    public var cnpjRoot: String
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, requestedOn: CivilDate, cnpjRoot: String) {
        self.abi = abi
        self.registroANS = registroANS
        self.requestedOn = requestedOn
        self.cnpjRoot = cnpjRoot
    }
}
