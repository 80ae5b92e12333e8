import Foundation
import Models
import Postgres
import Runtime

/// Parcelamento (DOMAIN §6): an RPD over open GRUs of one operadora, consolidated to the concession
/// date, `n <= min(60, floor(C / R$1.000))` installments (ParcelamentoRules). The GRUs become
/// *parcelada* at once; installment 1's GRU is issued with the request and the plan is granted
/// (deferido) when it is paid; not paid by its due date, the plan is indeferido and the GRUs return to
/// collection. Installment k's GRU is issued on the first day of its due month by the scheduler; each
/// is paid by its base updated with SELIC + 1% (RN 492/2022); three missed installments rescind the
/// plan (policy), the unpaid share of the principal returning to the GRUs.
extension DebtLedger {
    struct InstallmentWork: Codable {
        let parcelamentoID: String
        let number: Int
        /// "emitir" (issue its GRU) or "verificar" (count it missed if unpaid).
        let action: String
    }

    func requestParcelamento(registroANS: RegistroANS, grus numbers: [GRUNumber], installments count: Int,
                             today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        let connection = context.connection
        guard !numbers.isEmpty, Set(numbers).count == numbers.count else {
            return .refused("informe GRUs distintas para o parcelamento")
        }
        var grus: [GRURecord] = []
        for number in numbers.sorted() {
            guard let gru = try GRURecord.lock(number.value, on: connection), gru.registroANS == registroANS else {
                return .refused("GRU \(number.value) não encontrada para a operadora \(registroANS.value)")
            }
            do {
                try settings.parcelamentoRules.checkEligibility(gru.state)
            } catch {
                return .refused("GRU \(number.value): \(error.descricao)")
            }
            guard gru.purpose != .installment else { return .refused("GRU \(number.value) é parcela de outro parcelamento") }
            grus.append(gru)
        }
        // DOMAIN §6: C = the GRUs' totals updated to the concession date.
        let consolidated = Money.sum(grus.map {
            settings.calculator.amounts(principal: $0.openPrincipal, dueDate: $0.accrualDate, asOf: today).total
        })
        let schedule: [Installment]
        do {
            schedule = try settings.parcelamentoRules.schedule(consolidated: consolidated, installments: count,
                                                               concessionDate: today)
        } catch {
            return .refused("débito consolidado \(consolidated.formatted) em \(today.brazilian): \(error.descricao)")
        }
        let sequence = try connection.query(Self.countPlans, [registroANS.value])[0].decode(Int64.self, at: 0) + 1
        let id = "PARC-\(registroANS.value)-\(sequence)"
        let principal = Money.sum(grus.map(\.openPrincipal))
        _ = try connection.execute(Self.insertPlan, [
            id, registroANS.value, grus.map(\.number.value), consolidated.centavos, count, schedule[0].baseAmount.centavos,
            today.postgres, principal.centavos])
        for installment in schedule {
            _ = try connection.execute(Self.insertInstallment, [
                id, installment.number, installment.dueDate.postgres, installment.baseAmount.centavos])
        }
        for var gru in grus {
            gru.state = .parcelada
            gru.parcelamentoID = id
            gru.parcelledPrincipal = gru.openPrincipal
            gru.openPrincipal = .zero
            if gru.inCadin {
                gru.inCadin = false
                try emit(CADINChanged(registroANS: registroANS, gruNumber: gru.number, registered: false, effectiveOn: today),
                         context: context)
            }
            try record(gru, from: .emitida, on: today, reason: "incluída no parcelamento \(id)", context: context)
        }
        try issueInstallment(id, number: 1, today: today, context: context)
        for installment in schedule {
            if installment.number > 1 {
                let month = installment.dueDate.yearMonth
                let first = try CivilDate(year: month.year, month: month.month, day: 1)
                try scheduleInstallmentWork(id, number: installment.number, action: "emitir", on: max(first, today),
                                            connection: connection)
            }
            try scheduleInstallmentWork(id, number: installment.number, action: "verificar",
                                        on: installment.dueDate.adding(days: 1), connection: connection)
        }
        try emitPlan(id, on: today, context: context)
        return .accepted("Parcelamento \(id) solicitado: débito consolidado \(consolidated.formatted) em \(today.brazilian), "
            + "\(count) parcela(s) de \(schedule[0].baseAmount.formatted); 1ª parcela vence em "
            + "\(schedule[0].dueDate.brazilian) (o deferimento ocorre com o pagamento da 1ª parcela)",
            result: ["parcelamento": id, "consolidado": consolidated.decimalString, "parcelas": String(count)])
    }

    func fireInstallment(_ item: ScheduledItem, context: HandlerContext) throws {
        let work = try item.payload(as: InstallmentWork.self)
        let today = BusinessTimeZone.civilDate(of: item.dueAt)
        guard let plan = try PlanRow.lock(work.parcelamentoID, on: context.connection),
              plan.state == .solicitado || plan.state == .deferido else { return }
        if work.action == "emitir" {
            try issueInstallment(plan.id, number: work.number, today: today, context: context)
            return
        }
        let missed = try context.connection.execute(Self.markMissed, [plan.id, work.number])
        guard missed == 1 else { return }
        if plan.state == .solicitado && work.number == 1 {
            try endPlan(plan, as: .indeferido, today: today, context: context)
        } else if settings.parcelamentoRules.isRescinded(
            missedCount: try context.connection.query(Self.countMissed, [plan.id])[0].decode(Int.self, at: 0)) {
            try endPlan(plan, as: .rescindido, today: today, context: context)
        } else {
            try emitPlan(plan.id, on: today, context: context)
        }
    }

    /// Installment `gru` was paid in full.
    func installmentPaid(_ gru: GRURecord, paidOn: CivilDate, amount: Money, context: HandlerContext) throws {
        guard let id = gru.parcelamentoID, let number = gru.installment,
              var plan = try PlanRow.lock(id, on: context.connection) else { return }
        _ = try context.connection.execute(Self.markPaid, [id, number, paidOn.postgres, amount.centavos])
        if plan.state == .solicitado {
            plan.state = .deferido
            _ = try context.connection.execute(Self.setPlanState, [id, plan.state.rawValue])
        }
        let unpaid = try context.connection.query(Self.countUnpaid, [id])[0].decode(Int.self, at: 0)
        if unpaid == 0 {
            _ = try context.connection.execute(Self.setPlanState, [id, ParcelamentoState.quitado.rawValue])
        }
        try emitPlan(id, on: paidOn, context: context)
    }

    private func issueInstallment(_ id: String, number: Int, today: CivilDate, context: HandlerContext) throws {
        let connection = context.connection
        guard let row = try connection.query(Self.lockInstallment, [id, number]).first,
              try row.decode(String.self, at: 2) == "prevista" else { return }
        let registro = try RegistroANS(try row.decode(String.self, at: 3))
        let due = try row.civilDate(at: 0), base = try row.money(at: 1)
        let gruNumber = try nextGRUNumber(on: connection)
        var gru = GRURecord(
            number: gruNumber, registroANS: registro, purpose: .installment, chargeIDs: [], abis: [], principal: base,
            multa: .zero, juros: .zero, issuedOn: today, dueDate: due, accrualDate: due, chargedOn: today,
            linhaDigitavel: linhaDigitavel(gruNumber, amount: base, dueDate: due))
        gru.parcelamentoID = id
        gru.installment = number
        _ = try connection.execute(Self.setInstallmentGRU, [id, number, gruNumber.value])
        try issue(gru, context: context)
    }

    private func scheduleInstallmentWork(_ id: String, number: Int, action: String, on date: CivilDate,
                                         connection: PostgresConnection) throws {
        try ScheduledWork.schedule(
            kind: DebtWork.installment, key: "\(id)/\(number)/\(action)", dueAt: date.startInstant,
            payload: InstallmentWork(parcelamentoID: id, number: number, action: action), on: connection)
    }

    /// Indeferido (first installment unpaid) or rescindido (three misses): open installment GRUs are
    /// cancelled and the GRUs return to collection with the unpaid share of their principal
    /// (unpaid installment bases / C), then take the CADIN / dívida ativa steps already due.
    private func endPlan(_ plan: PlanRow, as state: ParcelamentoState, today: CivilDate, context: HandlerContext) throws {
        let connection = context.connection
        _ = try connection.execute(Self.setPlanState, [plan.id, state.rawValue])
        let unpaidBase = Money(centavos: try connection.query(Self.unpaidBase, [plan.id])[0].decode(Int64.self, at: 0))
        for number in try connection.query(Self.openInstallmentGRUs, [plan.id]).map({ try $0.decode(String.self, at: 0) }) {
            guard var gru = try GRURecord.lock(number, on: connection), gru.state == .emitida else { continue }
            gru.state = .cancelada
            gru.openPrincipal = .zero
            try record(gru, from: .emitida, on: today, reason: "parcelamento \(plan.id) \(state.rawValue)", context: context)
        }
        _ = try connection.execute(Self.cancelInstallments, [plan.id])
        for number in plan.gruNumbers {
            guard var gru = try GRURecord.lock(number, on: connection), gru.state == .parcelada else { continue }
            let numerator = Int128(gru.parcelledPrincipal.centavos) * Int128(unpaidBase.centavos)
            let c = Int128(plan.consolidated.centavos)
            gru.openPrincipal = Money(centavos: Int64((2 * numerator + c) / (2 * c)))
            gru.state = gru.openPrincipal > .zero ? .emitida : .paga
            try record(gru, from: .parcelada, on: today,
                       reason: "parcelamento \(plan.id) \(state.rawValue); saldo volta à cobrança", context: context)
            try applyCollectionSteps(&gru, today: today, context: context)
        }
        try emitPlan(plan.id, on: today, context: context)
    }

    private func emitPlan(_ id: String, on date: CivilDate, context: HandlerContext) throws {
        guard let plan = try PlanRow.lock(id, on: context.connection) else { return }
        let counts = try context.connection.query(Self.installmentCounts, [id])[0]
        try emit(ParcelamentoChanged(
            parcelamentoID: id, registroANS: plan.registroANS, state: plan.state, effectiveOn: date,
            gruNumbers: try plan.gruNumbers.map { try GRUNumber($0) }, consolidated: plan.consolidated,
            installmentCount: plan.installmentCount, installmentBase: plan.installmentBase,
            concessionDate: plan.concessionDate, paidInstallments: try counts.decode(Int.self, at: 0),
            missedInstallments: try counts.decode(Int.self, at: 1), unpaidBalance: try counts.money(at: 2)), context: context)
    }

    static let countPlans = PostgresStatement("SELECT count(*) FROM parcelamentos WHERE registro_ans = $1")
    static let insertPlan = PostgresStatement("""
        INSERT INTO parcelamentos (parcelamento_id, registro_ans, state, gru_numbers, consolidated, installment_count,
            installment_base, concession_date, principal)
        VALUES ($1, $2, 'solicitado', $3, $4, $5, $6, $7, $8)
        """)
    static let insertInstallment = PostgresStatement(
        "INSERT INTO installments (parcelamento_id, number, due_date, base) VALUES ($1, $2, $3, $4)")
    static let lockInstallment = PostgresStatement("""
        SELECT i.due_date, i.base, i.status, p.registro_ans FROM installments i JOIN parcelamentos p USING (parcelamento_id)
        WHERE i.parcelamento_id = $1 AND i.number = $2 FOR UPDATE OF i
        """)
    static let setInstallmentGRU = PostgresStatement(
        "UPDATE installments SET gru_number = $3, status = 'emitida' WHERE parcelamento_id = $1 AND number = $2")
    static let markMissed = PostgresStatement("""
        UPDATE installments SET missed = true WHERE parcelamento_id = $1 AND number = $2 AND status <> 'paga' AND NOT missed
        """)
    static let countMissed = PostgresStatement("SELECT count(*) FROM installments WHERE parcelamento_id = $1 AND missed")
    static let markPaid = PostgresStatement("""
        UPDATE installments SET status = 'paga', paid_on = $3, paid_amount = $4 WHERE parcelamento_id = $1 AND number = $2
        """)
    static let countUnpaid = PostgresStatement(
        "SELECT count(*) FROM installments WHERE parcelamento_id = $1 AND status <> 'paga'")
    static let setPlanState = PostgresStatement("UPDATE parcelamentos SET state = $2 WHERE parcelamento_id = $1")
    static let unpaidBase = PostgresStatement(
        "SELECT coalesce(sum(base), 0)::bigint FROM installments WHERE parcelamento_id = $1 AND status <> 'paga'")
    static let openInstallmentGRUs = PostgresStatement(
        "SELECT gru_number FROM installments WHERE parcelamento_id = $1 AND status = 'emitida' AND gru_number IS NOT NULL")
    static let cancelInstallments = PostgresStatement(
        "UPDATE installments SET status = 'cancelada' WHERE parcelamento_id = $1 AND status IN ('prevista', 'emitida')")
    static let installmentCounts = PostgresStatement("""
        SELECT count(*) FILTER (WHERE status = 'paga'), count(*) FILTER (WHERE missed),
               coalesce(sum(base) FILTER (WHERE status <> 'paga'), 0)::bigint
        FROM installments WHERE parcelamento_id = $1
        """)
}

/// A parcelamento row.
struct PlanRow {
    var id: String
    var registroANS: RegistroANS
    var state: ParcelamentoState
    var gruNumbers: [String]
    var consolidated: Money
    var installmentCount: Int
    var installmentBase: Money
    var concessionDate: CivilDate

    static func lock(_ id: String, on connection: PostgresConnection) throws -> PlanRow? {
        guard let row = try connection.query(select, [id]).first else { return nil }
        return PlanRow(
            id: id, registroANS: try RegistroANS(try row.decode(String.self, at: 0)),
            state: ParcelamentoState(rawValue: try row.decode(String.self, at: 1)) ?? .solicitado,
            gruNumbers: try row.decode([String].self, at: 2), consolidated: try row.money(at: 3),
            installmentCount: try row.decode(Int.self, at: 4), installmentBase: try row.money(at: 5),
            concessionDate: try row.civilDate(at: 6))
    }

    static let select = PostgresStatement("""
        SELECT registro_ans, state, gru_numbers, consolidated, installment_count, installment_base, concession_date
        FROM parcelamentos WHERE parcelamento_id = $1 FOR UPDATE
        """)
}
