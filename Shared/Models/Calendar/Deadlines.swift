/// A computed date with the short Portuguese explanation shown to operators.
public struct Deadline: Hashable, Sendable, Codable {
    public let date: CivilDate
    /// How the date was reached, in Portuguese (operators read it).
    public let explanation: String

    public init(date: CivilDate, explanation: String) {
        self.date = date
        self.explanation = explanation
    }
}

/// Deadline counting (DOMAIN §3): exclude the start day, include the last, count calendar days; a count
/// starting on a non-business day starts from the next business day, and a last day that is not a
/// business day moves to the next business day (Lei 9.784/1999 art. 66 and ANS practice).
extension BusinessCalendar {
    /// `days` calendar days counted from `start` under the counting rule above.
    public func count(days: Int, from start: CivilDate, describing what: String) -> Deadline {
        var steps: [String] = []
        let effectiveStart = nextBusinessDay(onOrAfter: start)
        if effectiveStart != start {
            steps.append("\(start.brazilian) não é dia útil; contagem a partir do próximo dia útil, "
                + "\(effectiveStart.brazilian) (\(closedDays(from: start, before: effectiveStart)))")
        }
        let lastDay = effectiveStart.adding(days: days)
        let deadline = nextBusinessDay(onOrAfter: lastDay)
        steps.append("\(days) dias corridos a partir de \(effectiveStart.brazilian) (excluído o dia do início) "
            + "terminam em \(lastDay.brazilian)")
        if deadline != lastDay {
            steps.append("prorrogado para o próximo dia útil (\(closedDays(from: lastDay, before: deadline)))")
        }
        steps.append("\(what): \(deadline.brazilian) (\(deadline.weekday.nome))")
        return Deadline(date: deadline, explanation: steps.joined(separator: "; ") + ".")
    }

    /// "14/02 sábado, 15/02 domingo, …": the closed days from `first` up to (not including) `end`.
    private func closedDays(from first: CivilDate, before end: CivilDate) -> String {
        var parts: [String] = []
        var day = first
        while day < end {
            if let closure = closure(on: day) {
                parts.append("\(day.brazilian): \(closure.descricao)")
            }
            day = day.adding(days: 1)
        }
        return parts.joined(separator: ", ")
    }

    /// Ciência of a notification made available on `availableOn`: the acknowledgement date, or the
    /// tacit ciência `availableOn + 10` calendar days, whichever is first (RN 377/2015).
    /// An acknowledgement dated before availability counts as on the availability date.
    public func ciencia(availableOn: CivilDate, acknowledgedOn: CivilDate? = nil) -> Deadline {
        let tacit = availableOn.adding(days: policy.tacitCienciaDays)
        if let acknowledgedOn, acknowledgedOn < tacit {
            let date = max(acknowledgedOn, availableOn)
            return Deadline(date: date, explanation: "Ciência expressa em \(date.brazilian), antes da ciência "
                + "tácita de \(tacit.brazilian) (disponibilização em \(availableOn.brazilian) + "
                + "\(policy.tacitCienciaDays) dias, RN 377/2015).")
        }
        return Deadline(date: tacit, explanation: "Ciência tácita em \(tacit.brazilian): disponibilização em "
            + "\(availableOn.brazilian) + \(policy.tacitCienciaDays) dias corridos sem ciência expressa "
            + "(RN 377/2015).")
    }

    /// Last day to file an impugnação: ciência + 30 days (Lei 9.656/1998 art. 32; RN 358/2014).
    public func impugnacaoDeadline(ciencia: CivilDate) -> Deadline {
        count(days: policy.impugnacaoDays, from: ciencia, describing: "Prazo final para impugnação")
    }

    /// Last day to file a recurso: ciência of the decision + 10 days (policy from RN 358/2014 art. 28).
    public func recursoDeadline(decisionCiencia: CivilDate) -> Deadline {
        count(days: policy.recursoDays, from: decisionCiencia, describing: "Prazo final para recurso")
    }

    /// Due date of a charge: end of the impugnação window + 15 days (Lei 9.656/1998 art. 32 §3).
    public func paymentDueDate(impugnacaoWindowEnd: CivilDate) -> Deadline {
        count(days: policy.paymentDays, from: impugnacaoWindowEnd, describing: "Vencimento da GRU")
    }

    /// Due date of a charge from the notification's ciência: the impugnação window end, then + 15 days.
    public func paymentDueDate(ciencia: CivilDate) -> Deadline {
        let window = impugnacaoDeadline(ciencia: ciencia)
        let due = paymentDueDate(impugnacaoWindowEnd: window.date)
        return Deadline(date: due.date, explanation: window.explanation + " " + due.explanation)
    }

    /// Payment date of a GRU for atendimentos charged after a final decision: ciência of that decision
    /// + 15 days (DOMAIN §4). Late charges still accrue from `accrualDueDate`.
    public func paymentDueDate(decisionCiencia: CivilDate) -> Deadline {
        count(days: policy.paymentDays, from: decisionCiencia, describing: "Vencimento da GRU após decisão final")
    }

    /// The due date from which late charges accrue (DOMAIN §4): the original due date (window end + 15)
    /// while the policy flag `accrueFromOriginalDueDate` is on (default), else the GRU's own due date.
    public func accrualDueDate(originalDueDate: CivilDate, gruDueDate: CivilDate) -> CivilDate {
        policy.accrueFromOriginalDueDate ? originalDueDate : gruDueDate
    }

    /// Date of CADIN registration if the charge is still unpaid: charge notification + 75 days
    /// (Lei 10.522/2002 art. 2).
    public func cadinDate(chargeNotification: CivilDate) -> Deadline {
        count(days: policy.cadinDays, from: chargeNotification, describing: "Inscrição no CADIN se não paga")
    }

    /// Policy: referral for inscription in dívida ativa, 90 days after the due date (configurable).
    public func dividaAtivaReferralDate(dueDate: CivilDate) -> Deadline {
        count(days: policy.dividaAtivaDays, from: dueDate, describing: "Encaminhamento para dívida ativa")
    }
}
