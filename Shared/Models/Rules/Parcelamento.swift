/// One installment of a plan.
public struct Installment: Sendable, Hashable, Codable {
    /// 1-based.
    public let number: Int
    public let dueDate: CivilDate
    /// The base amount (before SELIC update at payment).
    public let baseAmount: Money
}

/// What an installment costs when paid on a date, with the update applied.
public struct InstallmentPayment: Sendable, Hashable, Codable {
    public let base: Money
    public let paymentDate: CivilDate
    /// SELIC months summed (month after the concession month through the month before payment).
    public let selicMonths: [SelicMonthRate]
    public let selicSum: Percent
    /// 1% when the payment month is after the concession month.
    public let paymentMonthRate: Percent
    /// selicSum + paymentMonthRate.
    public let updateRate: Percent
    /// base × (1 + updateRate), rounded half-up.
    public let amount: Money
    public let selicTableVersion: String
    /// Non-empty only for a provisional result.
    public let missingSelicMonths: [YearMonth]
}

/// Why a debt cannot be parcelled or a plan not built.
public enum ParcelamentoError: DomainError, Equatable {
    case notOpen(GRUState)
    case installmentsOutOfRange(requested: Int, maximum: Int)
    case nothingToParcel

    public var description: String {
        switch self {
        case .notOpen(let state): "only open GRUs can be parcelled; this one is \(state.rawValue)"
        case .installmentsOutOfRange(let n, let max): "\(n) installments requested; allowed 1 to \(max)"
        case .nothingToParcel: "the consolidated debt must be positive"
        }
    }

    public var descricao: String {
        switch self {
        case .notOpen(.inscritaEmDividaAtiva):
            "GRU inscrita em dívida ativa não pode ser parcelada na ANS (contato: pfans-i@ans.gov.br)"
        case .notOpen(let state): "apenas GRUs em aberto podem ser parceladas; esta está \(state.rotulo)"
        case .installmentsOutOfRange(let n, let max): "\(n) parcelas solicitadas; o permitido é de 1 a \(max)"
        case .nothingToParcel: "o débito consolidado deve ser positivo"
        }
    }
}

/// Parcelamento rules (DOMAIN §6; RN 492/2022 and Lei 10.522/2002 arts. 10-14 for the federal model).
public struct ParcelamentoRules: Sendable {
    public let calendar: BusinessCalendar
    public let selic: SelicTable
    public var policy: RulesPolicy { calendar.policy }

    public init(calendar: BusinessCalendar = BusinessCalendar(), selic: SelicTable = .seed) {
        self.calendar = calendar
        self.selic = selic
    }

    /// Whether a GRU in `state` may be parcelled: only open (emitida) GRUs, never in dívida ativa.
    public func checkEligibility(_ state: GRUState) throws(ParcelamentoError) {
        guard state == .emitida else { throw .notOpen(state) }
    }

    /// Consolidated debt `C`: the total of the GRUs (principal + acréscimos) updated to the concession date.
    public func consolidatedDebt(of debts: [(principal: Money, dueDate: CivilDate)], concessionDate: CivilDate,
                                 calculator: LateChargeCalculator) throws(LateChargeError) -> Money {
        var total = Money.zero
        for debt in debts {
            total += try calculator.calculate(principal: debt.principal, dueDate: debt.dueDate,
                                              asOf: concessionDate).total
        }
        return total
    }

    /// Most installments allowed: `min(60, floor(C / R$1.000))`, at least 1 (a debt under R$2.000 is paid
    /// in one installment).
    public func maximumInstallments(consolidated: Money) -> Int {
        let byMinimum = Int(consolidated.centavos / policy.minimumInstallment.centavos)
        return max(1, min(policy.maxInstallments, byMinimum))
    }

    /// The schedule of `count` installments for consolidated debt `consolidated` granted on `concessionDate`.
    /// Base = C / n rounded half-up; the last absorbs the difference. Installment k is due on the last
    /// business day of the (k − 1)-th month after the concession month; the first, in the concession month,
    /// never before the concession date itself.
    public func schedule(consolidated: Money, installments count: Int,
                         concessionDate: CivilDate) throws(ParcelamentoError) -> [Installment] {
        guard consolidated > .zero else { throw .nothingToParcel }
        let maximum = maximumInstallments(consolidated: consolidated)
        guard (1...maximum).contains(count) else {
            throw .installmentsOutOfRange(requested: count, maximum: maximum)
        }
        let base = consolidated.divided(by: count)
        let concessionMonth = concessionDate.yearMonth
        return (1...count).map { k in
            var due = calendar.lastBusinessDay(of: concessionMonth.adding(months: k - 1))
            if k == 1 && due < concessionDate { due = calendar.nextBusinessDay(onOrAfter: concessionDate) }
            let amount = k == count ? consolidated - base.multiplied(by: Int64(count - 1)) : base
            return Installment(number: k, dueDate: due, baseAmount: amount)
        }
    }

    /// The amount of an installment with base `base` paid on `paymentDate`: base × (1 + (SELIC from the
    /// month after the concession month through the month before payment + 1% if the payment month is after
    /// the concession month) / 100), rounded half-up (RN 492/2022; Lei 10.522/2002 art. 13).
    public func installmentAmount(base: Money, concessionDate: CivilDate, paymentDate: CivilDate,
                                  allowingProvisional: Bool = false) throws(LateChargeError) -> InstallmentPayment {
        let concessionIndex = concessionDate.yearMonth.index
        let paymentIndex = paymentDate.yearMonth.index
        var months: [SelicMonthRate] = []
        var missing: [YearMonth] = []
        var sum = Percent.zero
        if concessionIndex + 1 <= paymentIndex - 1 {
            for index in (concessionIndex + 1)...(paymentIndex - 1) {
                let month = YearMonth(index: index)
                let rate = selic.rate(for: month)
                if let rate { sum += rate } else { missing.append(month) }
                months.append(SelicMonthRate(month: month, rate: rate))
            }
        }
        if !missing.isEmpty && !allowingProvisional {
            throw .missingSelicMonths(missing, tableVersion: selic.version)
        }
        let paymentMonth = paymentIndex > concessionIndex ? policy.paymentMonthJurosRate : .zero
        let rate = sum + paymentMonth
        return InstallmentPayment(base: base, paymentDate: paymentDate, selicMonths: months, selicSum: sum,
                                  paymentMonthRate: paymentMonth, updateRate: rate, amount: base.increased(by: rate),
                                  selicTableVersion: selic.version, missingSelicMonths: missing)
    }

    /// Installments past due and unpaid as of `asOf` (due date before `asOf`).
    public func missedInstallments(_ schedule: [Installment], paid: Set<Int>, asOf: CivilDate) -> [Int] {
        schedule.filter { $0.dueDate < asOf && !paid.contains($0.number) }.map(\.number)
    }

    /// Policy: three missed installments, consecutive or not, rescind the plan.
    public func isRescinded(missedCount: Int) -> Bool {
        missedCount >= policy.missedInstallmentsForRescission
    }

    /// Policy: the first payment a re-parcelamento requires: 10% of the debt, 20% if it was already
    /// re-parcelled (rounded half-up).
    public func reparcelamentoFirstPayment(debt: Money, alreadyReparcelled: Bool) -> Money {
        debt.applying(alreadyReparcelled ? policy.repeatedReparcelamentoFirstPayment : policy.reparcelamentoFirstPayment)
    }
}
