import Foundation
import Postgres

/// The end-of-run checks of a replay (issue: every atendimento ends in exactly one final state;
/// charged = paid + open + parcelled + suspended + dívida ativa; transferred = paid), each read
/// from the service that owns the figure, amounts in centavos.
public struct ReplayReconciliation: Sendable, Codable {
    /// One check: its name (Portuguese, shown to the operator), the two sides and whether they match.
    public struct Check: Sendable, Codable {
        public var name: String
        public var left: Int64
        public var right: Int64
        public var ok: Bool { left == right }
    }

    public var checks: [Check]
    /// GRU principal (centavos) per state at the debt calculator, for the summary.
    public var principalByState: [String: Int64]
    public var ok: Bool { checks.allSatisfy(\.ok) }

    /// Reads every figure and compares; `expectedAtendimentos` comes from the load's manifest.
    public static func read(expectedAtendimentos: Int, on connection: PostgresConnection) throws -> ReplayReconciliation {
        func value(_ sql: String) throws -> Int64 { try connection.query(sql)[0].decode(Int64.self, at: 0) }
        var checks: [Check] = []
        func check(_ name: String, _ left: Int64, _ right: Int64) { checks.append(Check(name: name, left: left, right: right)) }

        let received = try value("SELECT count(*) FROM intake.atendimentos")
        check("atendimentos do manifesto = recebidos pelo intake", Int64(expectedAtendimentos), received)
        check("recebidos = acompanhados pelo deadlines", received, try value("SELECT count(*) FROM deadlines.atendimentos"))
        check("acompanhados = em estado final (cobrável ou anulado)", received,
              try value("SELECT count(*) FROM deadlines.atendimentos WHERE state IN ('cobravel', 'anulado')"))
        // Charged: the final values released as chargeable = the charges the debt calculator issued.
        let chargeable = try value("SELECT coalesce(sum(final_amount), 0)::bigint FROM deadlines.atendimentos WHERE state = 'cobravel'")
        let charged = try value("SELECT coalesce(sum(total), 0)::bigint FROM debt_calculator.charges")
        check("valor cobrável (deadlines) = valor cobrado (debt-calculator), centavos", chargeable, charged)
        // Charged = principal of the charge GRUs (by state: paid, open, parcelled, suspended, dívida
        // ativa, cancelled by reissue) + small charges still held.
        var byState: [String: Int64] = [:]
        for row in try connection.query("""
            SELECT state, sum(principal)::bigint FROM debt_calculator.grus WHERE purpose = 'cobranca' GROUP BY state
            """) {
            byState[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1)
        }
        let held = try value("SELECT coalesce(sum(total), 0)::bigint FROM debt_calculator.charges WHERE gru_number IS NULL")
        check("cobrado = pago + em aberto + parcelado + suspenso + dívida ativa + retido (pequeno valor)",
              charged, byState.values.reduce(0, +) + held)
        // Paid principal recorded by the debt calculator = principal of the GRUs it settled in full.
        let paidPrincipal = try value("SELECT coalesce(sum(principal), 0)::bigint FROM debt_calculator.payments")
        let settledGRUs = try value("""
            SELECT coalesce(sum(principal - open_principal), 0)::bigint FROM debt_calculator.grus WHERE purpose = 'cobranca'
            """)
        check("principal pago (pagamentos) = principal quitado das GRUs", paidPrincipal, settledGRUs)
        // Paid = recorded by the FNS recorder = transferred to the FNS.
        let paid = try value("SELECT coalesce(sum(principal + multa + juros), 0)::bigint FROM debt_calculator.payments")
        let recorded = try value("SELECT coalesce(sum(total), 0)::bigint FROM fns_transfer.settlements")
        check("pago (debt-calculator) = registrado (fns-transfer)", paid, recorded)
        check("registrado = repassado ao FNS", recorded, try value("SELECT coalesce(sum(total), 0)::bigint FROM fns_transfer.repasses"))
        check("GRUs emitidas = GRUs no portal", try value("SELECT count(*) FROM debt_calculator.grus"),
              try value("SELECT count(*) FROM report_publisher.rm_grus"))
        return ReplayReconciliation(checks: checks, principalByState: byState)
    }
}
