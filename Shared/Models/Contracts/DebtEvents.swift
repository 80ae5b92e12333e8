import Foundation

// The debt calculator's events (DOMAIN §4-7) on `Topics.debts`, keyed by the operadora's registro
// ANS. The report publisher and the FNS transfer recorder build their views from these alone, so
// every GRU state change carries the new state and the amounts.

/// One atendimento of a charge and the amount charged for it.
public struct ChargedAtendimento: Codable, Sendable, Hashable {
    public var document: SUSDocumentNumber
    /// The competência (identifies an APAC together with the document, DOMAIN §1); nil only when the
    /// chargeable event it came from predates the field (optional in v1, docs/asyncapi.yaml).
    public var competencia: YearMonth?
    public var amount: Money

    public init(document: SUSDocumentNumber, competencia: YearMonth?, amount: Money) {
        self.document = document
        self.competencia = competencia
        self.amount = amount
    }
}

/// A charge (cobrança) for the atendimentos of one ``AtendimentosChargeable`` event with a non-zero
/// amount. It is covered by a GRU at once (`gruNumber`), or, when the operadora's accumulated small
/// charges are still R$100.00 or less (RN 533/2022), held until they pass it (`gruNumber` nil).
public struct ChargeIssued: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("charge.issued", version: 1)
    /// Stable id of the charge (derived from the notification and its chargeable round).
    public var chargeID: String
    public var abi: ABINumber
    public var registroANS: RegistroANS
    public var atendimentos: [ChargedAtendimento]
    public var total: Money
    /// The GRU covering this charge; nil while it is held as a small charge.
    public var gruNumber: GRUNumber?
    /// The operadora's held small charges after this one (0 once a GRU covers them).
    public var accumulatedSmallCharges: Money
    public var issuedOn: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(chargeID: String, abi: ABINumber, registroANS: RegistroANS, atendimentos: [ChargedAtendimento],
                total: Money, gruNumber: GRUNumber?, accumulatedSmallCharges: Money, issuedOn: CivilDate) {
        self.chargeID = chargeID
        self.abi = abi
        self.registroANS = registroANS
        self.atendimentos = atendimentos
        self.total = total
        self.gruNumber = gruNumber
        self.accumulatedSmallCharges = accumulatedSmallCharges
        self.issuedOn = issuedOn
    }
}

/// Why a GRU was issued.
public enum GRUPurpose: String, Codable, Sendable, Hashable {
    /// Covers one or more charges (``GRUIssued/chargeIDs``).
    case charge = "cobranca"
    /// Replaces an overdue GRU (``GRUIssued/replaces``) with acréscimos to the new due date.
    case reissue = "reemissao"
    /// Installment ``GRUIssued/installment`` of parcelamento ``GRUIssued/parcelamentoID``.
    case installment = "parcela"
}

/// A GRU issued (state *emitida*).
public struct GRUIssued: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("gru.issued", version: 1)
    public var gruNumber: GRUNumber
    public var registroANS: RegistroANS
    public var purpose: GRUPurpose
    /// The charges it covers (purpose `charge`; for a reissue, those of the GRU it replaces).
    public var chargeIDs: [String]
    /// The ABIs of those charges.
    public var abis: [ABINumber]
    /// The principal (sum of the charged atendimentos, or the installment's base).
    public var principal: Money
    /// Multa and juros included in `amount`, computed from `accrualDate` to `dueDate` (a reissue, or a
    /// charge whose accrual starts before its due date under `RulesPolicy.accrueFromOriginalDueDate`);
    /// otherwise 0.
    public var multa: Money
    public var juros: Money
    /// What the GRU asks to be paid by `dueDate`.
    public var amount: Money
    public var issuedOn: CivilDate
    /// The payment due date (vencimento) printed on the GRU, rolled to a business day.
    public var dueDate: CivilDate
    /// The date from which acréscimos accrue on the principal (DOMAIN §4: the original due date).
    public var accrualDate: CivilDate
    /// The GRU this one replaces (purpose `reissue`).
    public var replaces: GRUNumber?
    public var parcelamentoID: String?
    public var installment: Int?
    public var linhaDigitavel: String
    public var partitionKey: String { registroANS.value }

    public init(gruNumber: GRUNumber, registroANS: RegistroANS, purpose: GRUPurpose, chargeIDs: [String],
                abis: [ABINumber], principal: Money, multa: Money, juros: Money, amount: Money,
                issuedOn: CivilDate, dueDate: CivilDate, accrualDate: CivilDate, replaces: GRUNumber? = nil,
                parcelamentoID: String? = nil, installment: Int? = nil, linhaDigitavel: String) {
        self.gruNumber = gruNumber
        self.registroANS = registroANS
        self.purpose = purpose
        self.chargeIDs = chargeIDs
        self.abis = abis
        self.principal = principal
        self.multa = multa
        self.juros = juros
        self.amount = amount
        self.issuedOn = issuedOn
        self.dueDate = dueDate
        self.accrualDate = accrualDate
        self.replaces = replaces
        self.parcelamentoID = parcelamentoID
        self.installment = installment
        self.linhaDigitavel = linhaDigitavel
    }
}

/// A GRU's state changed (DOMAIN §7), with its amounts after the change. The updated amounts of an
/// open GRU as of a date D are `LateChargeCalculator.calculate(principal: openPrincipal,
/// dueDate: accrualDate, asOf: D)`, the same in every service.
public struct GRUStateChanged: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("gru.state-changed", version: 1)
    public var gruNumber: GRUNumber
    public var registroANS: RegistroANS
    public var previousState: GRUState
    public var state: GRUState
    public var effectiveOn: CivilDate
    /// The GRU's principal as issued.
    public var principal: Money
    /// Principal still owed after the change (0 once paid, cancelled or parcelled).
    public var openPrincipal: Money
    /// Total received for this GRU so far (principal + multa + juros).
    public var paidTotal: Money
    /// Paid beyond what was due, recorded as the operadora's credit.
    public var credit: Money
    public var accrualDate: CivilDate
    /// Short reason in Portuguese for people (e.g. "pagamento parcial", "reemitida como 123…").
    public var reason: String
    /// Court process number (suspensão judicial on or lifted).
    public var courtProcess: String?
    /// The parcelamento that took the GRU (state `parcelada`).
    public var parcelamentoID: String?
    /// The GRU replacing it (state `cancelada` by a reissue).
    public var replacedBy: GRUNumber?
    public var partitionKey: String { registroANS.value }

    public init(gruNumber: GRUNumber, registroANS: RegistroANS, previousState: GRUState, state: GRUState,
                effectiveOn: CivilDate, principal: Money, openPrincipal: Money, paidTotal: Money, credit: Money,
                accrualDate: CivilDate, reason: String, courtProcess: String? = nil,
                parcelamentoID: String? = nil, replacedBy: GRUNumber? = nil) {
        self.gruNumber = gruNumber
        self.registroANS = registroANS
        self.previousState = previousState
        self.state = state
        self.effectiveOn = effectiveOn
        self.principal = principal
        self.openPrincipal = openPrincipal
        self.paidTotal = paidTotal
        self.credit = credit
        self.accrualDate = accrualDate
        self.reason = reason
        self.courtProcess = courtProcess
        self.parcelamentoID = parcelamentoID
        self.replacedBy = replacedBy
    }
}

/// How a received payment was matched (DOMAIN §7).
public enum PaymentClassification: String, Codable, Sendable, Hashable, CaseIterable {
    case onTime = "em_dia"
    case late = "em_atraso"
    /// Less than what was due on that date: the remainder stays open.
    case partial = "parcial"
    /// More than what was due: the excess is recorded as credit.
    case over = "excedente"
    /// No GRU with that number: kept and flagged for an operator.
    case unknownGRU = "gru_desconhecida"
    /// The GRU was already paid, or the same payment arrived twice: kept and flagged.
    case duplicate = "duplicado"
    /// The GRU is cancelled (e.g. reissued): kept and flagged.
    case cancelledGRU = "gru_cancelada"

    /// Whether an operator must look at it.
    public var isFlagged: Bool { self == .unknownGRU || self == .duplicate || self == .cancelledGRU }
}

/// A payment as received (bank return file or upstream topic), with how it was matched.
public struct PaymentRecorded: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("payment.recorded", version: 1)
    /// Stable id of the payment (from the bank return: bank, date and sequence, or the upstream id).
    public var paymentID: String
    /// The GRU number as received (may be unknown or malformed).
    public var gruNumber: String
    /// The operadora, when the GRU is known.
    public var registroANS: RegistroANS?
    public var amount: Money
    public var paidOn: CivilDate
    public var classification: PaymentClassification
    /// What was due on `paidOn` (principal + acréscimos), when the GRU is known and open.
    public var dueOnPaymentDate: Money?
    public var credit: Money
    public var partitionKey: String { registroANS?.value ?? gruNumber }

    public init(paymentID: String, gruNumber: String, registroANS: RegistroANS?, amount: Money, paidOn: CivilDate,
                classification: PaymentClassification, dueOnPaymentDate: Money?, credit: Money) {
        self.paymentID = paymentID
        self.gruNumber = gruNumber
        self.registroANS = registroANS
        self.amount = amount
        self.paidOn = paidOn
        self.classification = classification
        self.dueOnPaymentDate = dueOnPaymentDate
        self.credit = credit
    }
}

/// Money settled for the FNS (DOMAIN §8): a matched payment split into principal, multa and juros
/// (`principal + multa + juros == total`); collected in the month of `paidOn`.
public struct PaymentSettled: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("payment.settled", version: 1)
    public var paymentID: String
    public var gruNumber: GRUNumber
    public var registroANS: RegistroANS
    public var paidOn: CivilDate
    public var principal: Money
    public var multa: Money
    public var juros: Money
    public var total: Money
    public var partitionKey: String { registroANS.value }

    public init(paymentID: String, gruNumber: GRUNumber, registroANS: RegistroANS, paidOn: CivilDate,
                principal: Money, multa: Money, juros: Money, total: Money) {
        self.paymentID = paymentID
        self.gruNumber = gruNumber
        self.registroANS = registroANS
        self.paidOn = paidOn
        self.principal = principal
        self.multa = multa
        self.juros = juros
        self.total = total
    }
}

/// States of a parcelamento (DOMAIN §6).
public enum ParcelamentoState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Requested (RPD); granted once the first installment is paid.
    case solicitado
    case deferido
    /// Rescinded after missed installments; the balance returns to collection.
    case rescindido
    /// Every installment paid.
    case quitado
    /// The first installment was not paid by its due date.
    case indeferido
}

/// A parcelamento was requested or changed state.
public struct ParcelamentoChanged: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("parcelamento.changed", version: 1)
    public var parcelamentoID: String
    public var registroANS: RegistroANS
    public var state: ParcelamentoState
    public var effectiveOn: CivilDate
    public var gruNumbers: [GRUNumber]
    /// The consolidated debt `C` at the concession date.
    public var consolidated: Money
    public var installmentCount: Int
    public var installmentBase: Money
    public var concessionDate: CivilDate
    public var paidInstallments: Int
    public var missedInstallments: Int
    /// Principal-equivalent balance not yet paid (returns to collection on rescission).
    public var unpaidBalance: Money
    public var partitionKey: String { registroANS.value }

    public init(parcelamentoID: String, registroANS: RegistroANS, state: ParcelamentoState, effectiveOn: CivilDate,
                gruNumbers: [GRUNumber], consolidated: Money, installmentCount: Int, installmentBase: Money,
                concessionDate: CivilDate, paidInstallments: Int, missedInstallments: Int, unpaidBalance: Money) {
        self.parcelamentoID = parcelamentoID
        self.registroANS = registroANS
        self.state = state
        self.effectiveOn = effectiveOn
        self.gruNumbers = gruNumbers
        self.consolidated = consolidated
        self.installmentCount = installmentCount
        self.installmentBase = installmentBase
        self.concessionDate = concessionDate
        self.paidInstallments = paidInstallments
        self.missedInstallments = missedInstallments
        self.unpaidBalance = unpaidBalance
    }
}

/// The operadora was registered in or removed from CADIN because of a GRU (Lei 10.522/2002 art. 2).
public struct CADINChanged: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("cadin.changed", version: 1)
    public var registroANS: RegistroANS
    public var gruNumber: GRUNumber
    public var registered: Bool
    public var effectiveOn: CivilDate
    public var partitionKey: String { registroANS.value }

    public init(registroANS: RegistroANS, gruNumber: GRUNumber, registered: Bool, effectiveOn: CivilDate) {
        self.registroANS = registroANS
        self.gruNumber = gruNumber
        self.registered = registered
        self.effectiveOn = effectiveOn
    }
}

/// SELIC monthly rates published by an operator (`ressus selic importar`), so every service that
/// computes acréscimos extends its table the same way (DOMAIN §5).
public struct SelicRatesPublished: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("selic.rates-published", version: 1)
    public var version: String
    public var rates: [SelicMonthRate]
    public var partitionKey: String { "selic" }

    public init(version: String, rates: [SelicMonthRate]) {
        self.version = version
        self.rates = rates
    }
}

/// The charge an ``AtendimentosChargeable`` makes (DOMAIN §4), as the debt calculator issues it and
/// the report publisher links the atendimentos to it when they become chargeable, before the
/// ``ChargeIssued`` arrives: one definition for both.
extension AtendimentosChargeable {
    /// The atendimentos charged: those not annulled with a non-zero final amount, in event order.
    /// None means the event charges nothing (all annulled, deferida, or amount 0).
    public var charged: [ChargedAtendimento] {
        atendimentos.filter(\.isCharged).map { ChargedAtendimento(document: $0.document, competencia: $0.competencia, amount: $0.finalAmount) }
    }

    /// The charge id: stable under redelivery and replay. Every atendimento (document and competência:
    /// an APAC's competências are released separately, DOMAIN §1) is released for charging exactly
    /// once, in one event, so the event's first atendimento in (document, competência) order
    /// identifies it. Events without competências (written before the field) keep their old ids.
    public var chargeID: String {
        // Documents have 13 digits, so the text order is (document, competência) order.
        let first = atendimentos.map { $0.document.value + ($0.competencia.map { "-\($0)" } ?? "") }.min() ?? "vazio"
        return "\(abi.value)-\(registroANS.value)-\(first)"
    }
}
