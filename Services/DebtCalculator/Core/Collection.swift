import Foundation
import Models
import Postgres
import Runtime

/// Collection steps of an unpaid GRU (DOMAIN §7): CADIN, dívida ativa, suspensão judicial, reissue.
extension DebtLedger {
    /// The day after which an unpaid charge puts the operadora in CADIN: charge notification + 75 days
    /// (Lei 10.522/2002 art. 2).
    func cadinDate(of gru: GRURecord) -> CivilDate { calendar.cadinDate(chargeNotification: gru.chargedOn).date }

    /// The day after which an unpaid GRU is referred to dívida ativa: due date + 90 days (policy).
    func dividaAtivaDate(of gru: GRURecord) -> CivilDate { calendar.dividaAtivaReferralDate(dueDate: gru.dueDate).date }

    func fireCadin(_ item: ScheduledItem, context: HandlerContext) throws {
        guard var gru = try GRURecord.lock(item.key, on: context.connection) else { return }
        try applyCollectionSteps(&gru, today: BusinessTimeZone.civilDate(of: item.dueAt), context: context)
    }

    func fireDividaAtiva(_ item: ScheduledItem, context: HandlerContext) throws {
        guard var gru = try GRURecord.lock(item.key, on: context.connection) else { return }
        try applyCollectionSteps(&gru, today: BusinessTimeZone.civilDate(of: item.dueAt), context: context)
    }

    /// Takes the CADIN and dívida ativa steps that are due on `today` for an unpaid GRU that is not
    /// parcelled nor suspended (a suspended GRU takes them when the suspension is lifted).
    func applyCollectionSteps(_ gru: inout GRURecord, today: CivilDate, context: HandlerContext) throws {
        guard gru.state == .emitida, gru.purpose != .installment else { return }
        if !gru.inCadin && today > cadinDate(of: gru) {
            gru.inCadin = true
            try gru.save(on: context.connection)
            try emit(CADINChanged(registroANS: gru.registroANS, gruNumber: gru.number, registered: true, effectiveOn: today),
                     context: context)
        }
        if today > dividaAtivaDate(of: gru) {
            gru.state = .inscritaEmDividaAtiva
            try record(gru, from: .emitida, on: today,
                       reason: "encaminhada para inscrição em dívida ativa (\(policy.dividaAtivaDays) dias após o vencimento)",
                       context: context)
        }
    }

    /// Suspensão judicial: collection of an open GRU is suspended by court order `process` (no CADIN or
    /// dívida ativa steps; acréscimos keep accruing). A CADIN registration is lifted while suspended
    /// (Lei 10.522/2002 art. 7).
    func suspend(gru number: GRUNumber, process: String, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        guard var gru = try GRURecord.lock(number.value, on: context.connection) else {
            return .refused("GRU \(number.value) não encontrada")
        }
        guard gru.state == .emitida else {
            return .refused("GRU \(number.value) está \(gru.state.rotulo); só GRUs emitidas podem ser suspensas")
        }
        gru.state = .suspensaJudicialmente
        gru.courtProcess = process
        if gru.inCadin {
            gru.inCadin = false
            try emit(CADINChanged(registroANS: gru.registroANS, gruNumber: gru.number, registered: false, effectiveOn: today),
                     context: context)
        }
        try record(gru, from: .emitida, on: today, reason: "suspensão judicial (processo \(process))", context: context)
        return .accepted("GRU \(number.value) suspensa judicialmente em \(today.brazilian) (processo \(process))")
    }

    /// Lifts the suspension: the GRU is open again and takes at once the collection steps whose dates passed.
    func lift(gru number: GRUNumber, process: String, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        guard var gru = try GRURecord.lock(number.value, on: context.connection) else {
            return .refused("GRU \(number.value) não encontrada")
        }
        guard gru.state == .suspensaJudicialmente else {
            return .refused("GRU \(number.value) não está suspensa (está \(gru.state.rotulo))")
        }
        guard gru.courtProcess == process else {
            return .refused("GRU \(number.value) foi suspensa pelo processo \(gru.courtProcess ?? "?"), não \(process)")
        }
        gru.state = .emitida
        try record(gru, from: .suspensaJudicialmente, on: today, reason: "suspensão judicial levantada (processo \(process))",
                   context: context)
        try applyCollectionSteps(&gru, today: today, context: context)
        return .accepted("Suspensão da GRU \(number.value) levantada em \(today.brazilian); situação: \(gru.state.rotulo)"
            + (gru.inCadin ? ", operadora no CADIN" : ""))
    }

    /// Reissue (DOMAIN §7): the open GRU is cancelled and replaced by a new one for the same debt, due
    /// `newDue` (default: today + `DebtSettings.reissueDueDays`, rolled to a business day), with the
    /// acréscimos computed to that date. Accrual keeps running from the original accrual date.
    func reissue(gru number: GRUNumber, newDue requested: CivilDate?, today: CivilDate,
                 context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        guard var old = try GRURecord.lock(number.value, on: connection) else {
            return .refused("GRU \(number.value) não encontrada")
        }
        guard old.state == .emitida, old.purpose != .installment else {
            return .refused("GRU \(number.value) está \(old.state.rotulo); só GRUs emitidas (fora de parcelamento) podem ser reemitidas")
        }
        let due = calendar.nextBusinessDay(onOrAfter: requested ?? today.adding(days: settings.reissueDueDays))
        guard due >= today else { return .refused("o novo vencimento \(due.brazilian) é anterior a hoje (\(today.brazilian))") }
        let late: LateCharges
        do {
            // A GRU's amount is never provisional: refused while the SELIC table lacks a month it needs.
            late = try settings.calculator.calculate(principal: old.openPrincipal, dueDate: old.accrualDate, asOf: due)
        } catch {
            return .refused("não é possível reemitir com vencimento \(due.brazilian): \(error.descricao)")
        }
        let newNumber = try nextGRUNumber(on: connection)
        var new = GRURecord(
            number: newNumber, registroANS: old.registroANS, purpose: .reissue, chargeIDs: old.chargeIDs, abis: old.abis,
            principal: old.openPrincipal, multa: late.multa, juros: late.juros, issuedOn: today, dueDate: due,
            accrualDate: old.accrualDate, chargedOn: old.chargedOn,
            linhaDigitavel: linhaDigitavel(newNumber, amount: late.total, dueDate: due))
        new.replaces = old.number
        let wasInCadin = old.inCadin
        old.state = .cancelada
        old.replacedBy = newNumber
        old.openPrincipal = .zero
        old.inCadin = false
        try ScheduledWork.cancel(kind: DebtWork.cadin, key: old.number.value, on: connection)
        try ScheduledWork.cancel(kind: DebtWork.dividaAtiva, key: old.number.value, on: connection)
        try record(old, from: .emitida, on: today, reason: "reemitida como \(newNumber.value)", context: context)
        try issue(new, context: context)
        if wasInCadin {
            // The same debt stays registered, now under the new GRU.
            try emit(CADINChanged(registroANS: old.registroANS, gruNumber: old.number, registered: false, effectiveOn: today),
                     context: context)
            new.inCadin = true
            try new.save(on: connection)
            try emit(CADINChanged(registroANS: new.registroANS, gruNumber: newNumber, registered: true, effectiveOn: today),
                     context: context)
        }
        return .accepted("GRU \(old.number.value) cancelada e reemitida como \(newNumber.value): vencimento \(due.brazilian), "
            + "principal \(new.principal.formatted), multa \(new.multa.formatted), juros \(new.juros.formatted), "
            + "total \(new.amount.formatted)", result: ["gru": newNumber.value, "total": new.amount.decimalString])
    }
}
