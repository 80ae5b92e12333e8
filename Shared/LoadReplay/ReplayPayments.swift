import Foundation
import Models

/// How the replay pays the GRUs it sees (the load profile's shares, DOMAIN §5, §7): in full by the
/// due date, late (after the due date, with the acréscimos due that day), partially (half of what is
/// due, the rest stays open), or not at all. Which GRU goes which way depends on a bucket 0...999
/// hashed from its operadora and charges (the same GRUs every run of a load).
public struct ReplayPaymentPlan: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case onTime = "em_dia", late = "em_atraso", partial = "parcial", unpaid = "nao_pago"
    }

    /// Shares per mille (their sum at most 1000; the rest stays unpaid).
    public var onTimePerMille: Int
    public var latePerMille: Int
    public var partialPerMille: Int

    public init(onTimePerMille: Int, latePerMille: Int, partialPerMille: Int) {
        self.onTimePerMille = onTimePerMille
        self.latePerMille = latePerMille
        self.partialPerMille = partialPerMille
    }

    /// Buckets [0, on time) pay on time, then late, then partially; the rest stay unpaid.
    public func kind(bucket: Int) -> Kind {
        if bucket < onTimePerMille { return .onTime }
        if bucket < onTimePerMille + latePerMille { return .late }
        if bucket < onTimePerMille + latePerMille + partialPerMille { return .partial }
        return .unpaid
    }

    /// An open GRU as the debt calculator stores it (amounts in centavos).
    public struct OpenGRU: Sendable, Equatable {
        public var number: String
        public var registroANS: String
        public var openPrincipal: Money
        public var dueDate: CivilDate
        /// The date acréscimos accrue from (the original due date for charges after a decision, DOMAIN §4).
        public var accrualDate: CivilDate
        public var bucket: Int

        public init(number: String, registroANS: String = "", openPrincipal: Money, dueDate: CivilDate,
                    accrualDate: CivilDate, bucket: Int) {
            self.number = number
            self.registroANS = registroANS
            self.openPrincipal = openPrincipal
            self.dueDate = dueDate
            self.accrualDate = accrualDate
            self.bucket = bucket
        }
    }

    /// One line of the bank-return file, with what was due that day.
    public struct Payment: Sendable, Equatable {
        public var gru: String
        public var kind: Kind
        public var paidOn: CivilDate
        public var amount: Money
        /// What the GRU asked on `paidOn` (DOMAIN §5): principal, multa and juros.
        public var due: LateChargeAmounts
    }

    /// The payments of `kinds` among `grus` on `date`: the amount is what is due that day
    /// (`calculator`: open principal with acréscimos from the accrual date), or half of it, rounded
    /// down, for a partial payment. A GRU is paid on time only while `date` is not after its due
    /// date, and late only once it is.
    public func payments(of grus: [OpenGRU], kinds: Set<Kind>, on date: CivilDate,
                         calculator: LateChargeCalculator) -> [Payment] {
        grus.compactMap { gru -> Payment? in
            let kind = self.kind(bucket: gru.bucket)
            guard kinds.contains(kind) else { return nil }
            switch kind {
            case .onTime, .partial: guard date <= gru.dueDate else { return nil }
            case .late: guard date > gru.dueDate else { return nil }
            case .unpaid: return nil
            }
            let due = calculator.amounts(principal: gru.openPrincipal, dueDate: gru.accrualDate, asOf: date)
            let amount = kind == .partial ? Self.partialAmount(due: due.total) : due.total
            return Payment(gru: gru.number, kind: kind, paidOn: date, amount: amount, due: due)
        }
    }

    /// Half of what is due, rounded down, at least one centavo (less than what is due from 2 centavos up).
    public static func partialAmount(due: Money) -> Money {
        Money(centavos: max(1, due.centavos / 2))
    }

    /// The bank-return file (layout of docs/intake-files.md) paying `payments`, ids prefixed by `prefix`.
    public static func file(_ payments: [Payment], prefix: String) -> String {
        file(payments.map { (gru: $0.gru, amount: $0.amount, paidOn: $0.paidOn) }, prefix: prefix)
    }

    /// The bank-return file paying `amount` of each GRU on `paidOn` (one payment per GRU: the id is
    /// `prefix-GRU`).
    public static func file(_ lines: [(gru: String, amount: Money, paidOn: CivilDate)], prefix: String) -> String {
        var text = "id_pagamento;gru;valor;data_pagamento;origem\n"
        for line in lines {
            text += "\(prefix)-\(line.gru);\(line.gru);\(line.amount.formatted);\(line.paidOn);carga\n"
        }
        return text
    }
}
