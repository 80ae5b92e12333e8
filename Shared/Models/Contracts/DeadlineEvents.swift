import Foundation

/// The final situation of an atendimento when the deadlines service releases it for charging.
public struct ChargeableAtendimento: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable {
        /// Not impugned, or impugnação/recurso indeferida: the original amount stands.
        case notImpugned = "nao_impugnado"
        case indeferida = "indeferida"
        /// Parcialmente deferida: the amount was corrected.
        case parcialmenteDeferida = "parcialmente_deferida"
        /// Deferida: annulled, amount 0 (emitted so downstream totals reconcile).
        case deferida = "deferida"
    }

    public var document: SUSDocumentNumber
    /// The atendimento's competência: with the document it identifies an APAC, whose number repeats
    /// for every competência it covers (DOMAIN §1). Optional in v1 for compatibility: only events
    /// written before it was added lack it (see docs/asyncapi.yaml); the deadlines service always sets it.
    public var competencia: YearMonth?
    public var outcome: Outcome
    public var originalAmount: Money
    /// The amount to charge (0 when annulled).
    public var finalAmount: Money
    public var isAnnulled: Bool { outcome == .deferida }
    /// Charged by the event's charge (``AtendimentosChargeable/charged``): not annulled, amount not 0.
    public var isCharged: Bool { !isAnnulled && finalAmount > .zero }

    public init(document: SUSDocumentNumber, competencia: YearMonth?, outcome: Outcome, originalAmount: Money,
                finalAmount: Money) {
        self.document = document
        self.competencia = competencia
        self.outcome = outcome
        self.originalAmount = originalAmount
        self.finalAmount = finalAmount
    }
}

/// Atendimentos of a notification that became chargeable (window closed without impugnação, or
/// decision final), with the dates of DOMAIN §4.
public struct AtendimentosChargeable: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("atendimentos.chargeable", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var atendimentos: [ChargeableAtendimento]
    /// Window end + 15 days: the date from which late charges accrue (DOMAIN §4, policy flag).
    public var originalDueDate: CivilDate
    /// The GRU's payment date.
    public var paymentDueDate: CivilDate
    /// Business date on which they became chargeable.
    public var chargeableOn: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, atendimentos: [ChargeableAtendimento],
                originalDueDate: CivilDate, paymentDueDate: CivilDate, chargeableOn: CivilDate) {
        self.abi = abi
        self.registroANS = registroANS
        self.atendimentos = atendimentos
        self.originalDueDate = originalDueDate
        self.paymentDueDate = paymentDueDate
        self.chargeableOn = chargeableOn
    }
}
