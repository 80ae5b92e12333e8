import Foundation

// The steps of the administrative process the deadlines service publishes on `Topics.deadlines`
// (DOMAIN §3), besides `AtendimentosChargeable`. Keyed by registro ANS like every event there.

/// How a ciência happened (RN 377/2015): acknowledged by the operadora, or tacit after 10 days.
public enum CienciaKind: String, Codable, Sendable {
    case explicit = "expressa"
    case tacit = "tacita"
}

/// Grounds of an impugnação (DOMAIN §3).
public enum ImpugnacaoGrounds: String, Codable, Sendable, CaseIterable {
    case technical = "tecnico"
    case administrative = "administrativo"
}

/// The result of a decision on an impugnação (first instance) or a recurso (second, final).
public enum DecisionResult: String, Codable, Sendable, CaseIterable {
    /// Atendimento annulled (amount 0).
    case deferida = "deferida"
    /// Amount corrected to the decision's new value.
    case parcialmenteDeferida = "parcial"
    /// The amount stands.
    case indeferida = "indeferida"
}

/// Which instance decided: the impugnação (first) or the recurso (second, final).
public enum DecisionInstance: Int, Codable, Sendable {
    case impugnacao = 1
    case recurso = 2
}

/// Ciência of a notification: from this date the impugnação window (30 days) runs.
public struct NotificationCienciaRegistered: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("notification.ciencia-registered", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var cienciaOn: CivilDate
    public var kind: CienciaKind
    /// Last day to file an impugnação.
    public var impugnacaoWindowEnd: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, cienciaOn: CivilDate, kind: CienciaKind,
                impugnacaoWindowEnd: CivilDate) {
        self.abi = abi
        self.registroANS = registroANS
        self.cienciaOn = cienciaOn
        self.kind = kind
        self.impugnacaoWindowEnd = impugnacaoWindowEnd
    }
}

/// An impugnação filed on time and accepted for decision.
public struct ImpugnacaoFiled: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("impugnacao.filed", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var document: SUSDocumentNumber
    /// The atendimento's competência (with the document it identifies an APAC, DOMAIN §1). Optional in
    /// v1 for compatibility: events written before it was added lack it; the deadlines service sets it
    /// whenever the atendimento is known.
    public var competencia: YearMonth?
    public var grounds: ImpugnacaoGrounds
    public var filedOn: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?,
                grounds: ImpugnacaoGrounds, filedOn: CivilDate) {
        self.abi = abi
        self.registroANS = registroANS
        self.document = document
        self.competencia = competencia
        self.grounds = grounds
        self.filedOn = filedOn
    }
}

/// An impugnação or recurso that was refused (late, or not admissible), recorded with its reason.
public struct FilingRefused: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("filing.refused", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var document: SUSDocumentNumber
    /// The atendimento's competência (with the document it identifies an APAC, DOMAIN §1). Optional in
    /// v1 for compatibility: events written before it was added lack it; the deadlines service sets it
    /// whenever the atendimento is known.
    public var competencia: YearMonth?
    /// `impugnacao` for an impugnação, `recurso` for a recurso.
    public var instance: DecisionInstance
    public var filedOn: CivilDate
    /// Why it was refused, in Portuguese (shown to operators and operadoras).
    public var reason: String
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?, instance: DecisionInstance,
                filedOn: CivilDate, reason: String) {
        self.abi = abi
        self.registroANS = registroANS
        self.document = document
        self.competencia = competencia
        self.instance = instance
        self.filedOn = filedOn
        self.reason = reason
    }
}

/// A recurso filed on time against the first-instance decision.
public struct RecursoFiled: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("recurso.filed", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var document: SUSDocumentNumber
    /// The atendimento's competência (with the document it identifies an APAC, DOMAIN §1). Optional in
    /// v1 for compatibility: events written before it was added lack it; the deadlines service sets it
    /// whenever the atendimento is known.
    public var competencia: YearMonth?
    public var filedOn: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?, filedOn: CivilDate) {
        self.abi = abi
        self.registroANS = registroANS
        self.document = document
        self.competencia = competencia
        self.filedOn = filedOn
    }
}

/// A decision on an impugnação (instance 1) or a recurso (instance 2, final).
public struct DecisionMade: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("decision.made", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var document: SUSDocumentNumber
    /// The atendimento's competência (with the document it identifies an APAC, DOMAIN §1). Optional in
    /// v1 for compatibility: events written before it was added lack it; the deadlines service sets it
    /// whenever the atendimento is known.
    public var competencia: YearMonth?
    public var instance: DecisionInstance
    public var result: DecisionResult
    /// The corrected amount (parcial), 0 (deferida) or the amount that stands (indeferida).
    public var amount: Money
    /// The date the decision was made available to the operadora.
    public var decidedOn: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?, instance: DecisionInstance,
                result: DecisionResult, amount: Money, decidedOn: CivilDate) {
        self.abi = abi
        self.registroANS = registroANS
        self.document = document
        self.competencia = competencia
        self.instance = instance
        self.result = result
        self.amount = amount
        self.decidedOn = decidedOn
    }
}

/// Ciência of a decision (explicit, or tacit 10 days after it was made available, RN 377/2015).
/// For a first-instance decision the recurso window (10 days) runs from it.
public struct DecisionCienciaRegistered: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("decision.ciencia-registered", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var document: SUSDocumentNumber
    /// The atendimento's competência (with the document it identifies an APAC, DOMAIN §1). Optional in
    /// v1 for compatibility: events written before it was added lack it; the deadlines service sets it
    /// whenever the atendimento is known.
    public var competencia: YearMonth?
    public var instance: DecisionInstance
    public var cienciaOn: CivilDate
    public var kind: CienciaKind
    /// Last day to file a recurso (first-instance decisions that are not deferida), else nil.
    public var recursoWindowEnd: CivilDate?
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, document: SUSDocumentNumber, competencia: YearMonth?, instance: DecisionInstance,
                cienciaOn: CivilDate, kind: CienciaKind, recursoWindowEnd: CivilDate?) {
        self.abi = abi
        self.registroANS = registroANS
        self.document = document
        self.competencia = competencia
        self.instance = instance
        self.cienciaOn = cienciaOn
        self.kind = kind
        self.recursoWindowEnd = recursoWindowEnd
    }
}
