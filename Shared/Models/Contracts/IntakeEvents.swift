import Foundation

/// An atendimento as the intake accepted it (DOMAIN §1-2): the SUS data and the amount to
/// reimburse computed by ``Valuation``.
public struct AtendimentoRecord: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable { case aih = "AIH", apac = "APAC" }

    public var kind: Kind
    public var document: SUSDocumentNumber
    public var competencia: YearMonth
    public var beneficiaryCode: String
    public var birthDate: CivilDate
    public var careStart: CivilDate
    public var careEnd: CivilDate
    public var cnes: CNES
    public var procedure: SIGTAPCode
    public var quantity: Int
    public var susValue: Money
    /// IVR × SUS value (competência 2008-01 on) or the legacy value.
    public var amountToReimburse: Money

    public init(
        kind: Kind, document: SUSDocumentNumber, competencia: YearMonth, beneficiaryCode: String,
        birthDate: CivilDate, careStart: CivilDate, careEnd: CivilDate, cnes: CNES, procedure: SIGTAPCode,
        quantity: Int, susValue: Money, amountToReimburse: Money
    ) {
        self.kind = kind
        self.document = document
        self.competencia = competencia
        self.beneficiaryCode = beneficiaryCode
        self.birthDate = birthDate
        self.careStart = careStart
        self.careEnd = careEnd
        self.cnes = cnes
        self.procedure = procedure
        self.quantity = quantity
        self.susValue = susValue
        self.amountToReimburse = amountToReimburse
    }
}

/// An operadora registered or updated in the intake's register.
public struct OperadoraRegistered: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("operadora.registered", version: 1)
    public var registroANS: RegistroANS
    public var cnpj: CNPJ
    public var razaoSocial: String
    public var email: String
    public var partitionKey: String { registroANS.value }

    public init(registroANS: RegistroANS, cnpj: CNPJ, razaoSocial: String, email: String) {
        self.registroANS = registroANS
        self.cnpj = cnpj
        self.razaoSocial = razaoSocial
        self.email = email
    }
}

/// A notification (Ofício ABI): one operadora's part of an ABI, made available on `availableOn`.
/// Its atendimentos follow in ``NotificationAtendimentos`` batches (`batchCount` of them).
public struct NotificationIssued: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("notification.issued", version: 1)
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var availableOn: CivilDate
    public var atendimentoCount: Int
    public var totalToReimburse: Money
    public var batchCount: Int
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, availableOn: CivilDate, atendimentoCount: Int,
                totalToReimburse: Money, batchCount: Int) {
        self.abi = abi
        self.registroANS = registroANS
        self.availableOn = availableOn
        self.atendimentoCount = atendimentoCount
        self.totalToReimburse = totalToReimburse
        self.batchCount = batchCount
    }
}

/// One bounded batch of a notification's atendimentos (batch `batch` of the notification's
/// `batchCount`, 1-based), so a large ABI never makes one huge message.
public struct NotificationAtendimentos: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("notification.atendimentos", version: 1)
    /// Atendimentos per batch at most (policy: keeps each message well under 1 MB).
    public static let maximumBatchSize = 500
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var batch: Int
    public var atendimentos: [AtendimentoRecord]
    public var partitionKey: String { registroANS.value }

    public init(abi: ABINumber, registroANS: RegistroANS, batch: Int, atendimentos: [AtendimentoRecord]) {
        self.abi = abi
        self.registroANS = registroANS
        self.batch = batch
        self.atendimentos = atendimentos
    }
}
