import DebtCalculatorCore
import Foundation
import LoadReplay
import Models
import Postgres
import Runtime

/// The replay's parcelamentos (DOMAIN §6): requested through the debt calculator's request desk, as
/// `ressus parcelamento` requests them, and granted by paying each plan's first installment.
extension Replay {
    /// Asks today for the profile's parcelamentos (``ReplayParcelamento/choose``) and pays each plan's
    /// first installment (its base updated by the rules library, RN 492/2022) with `ressus pagamentos importar`.
    func parcel() async throws {
        let grus = try await unpaidGRUs()
        let selic = try await debtPool.withConnection { try DebtSelic.table(on: $0) }
        let calculator = LateChargeCalculator(selic: selic), rules = ParcelamentoRules(selic: selic), day = today
        let chosen = ReplayParcelamento.choose(manifest.profile.parcelamentos, among: grus, plan: paymentPlan, rules: rules) {
            Money.sum($0.map { calculator.amounts(principal: $0.openPrincipal, dueDate: $0.accrualDate, asOf: day).total })
        }
        guard !chosen.isEmpty else { return }
        try await submit(try chosen.map { plan -> DebtRequest in
            .parcelamento(registroANS: try RegistroANS(plan.registroANS), grus: try plan.grus.map { try GRUNumber($0) },
                          installments: plan.installments)
        }, to: debtPool, service: "debt calculator", label: "parcelamentos")
        parcelamentos = chosen
        try await sample(until: "parcelamentos") { $0.idle }

        let first = try await pool.withConnection { connection in
            try connection.query("""
                SELECT g.gru_number, g.open_principal, p.concession_date FROM debt_calculator.grus g
                JOIN debt_calculator.parcelamentos p ON p.parcelamento_id = g.parcelamento_id
                WHERE g.purpose = 'parcela' AND g.installment = 1 AND g.state = 'emitida' ORDER BY g.gru_number
                """).map { row in (try row.decode(String.self, at: 0), try row.money(at: 1), try row.civilDate(at: 2)) }
        }
        let lines = try first.map { gru, base, concession in
            (gru: gru, amount: try rules.installmentAmount(base: base, concessionDate: concession, paymentDate: day,
                                                           allowingProvisional: true).amount, paidOn: day)
        }
        guard !lines.isEmpty else { return }
        let file = results.appendingPathComponent("pagamentos-\(today)-parcelas.csv")
        try Data(ReplayPaymentPlan.file(lines, prefix: "CARGA").utf8).write(to: file)
        log("Parcelamentos: \(chosen.count), \(grouped(chosen.reduce(0) { $0 + $1.grus.count })) GRUs; 1ª parcela paga em \(today.brazilian)")
        try await cli(["pagamentos", "importar", file.path, "--tempo-limite", String(command.tempoLimite)],
                      log: "pagamentos-\(today)-parcelas")
        installmentPayments = lines.map { ReplayReconciliation.InstallmentPayment(gru: $0.gru, amount: $0.amount) }
        try await sample(until: "1ª parcela aplicada") { $0.idle }
    }
}
