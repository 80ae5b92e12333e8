import Foundation
import Models
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

    /// A payment of an installment GRU (a parcelamento's first).
    public struct InstallmentPayment: Sendable {
        public var gru: String
        public var amount: Money

        public init(gru: String, amount: Money) {
            self.gru = gru
            self.amount = amount
        }
    }

    public var checks: [Check]
    /// GRU principal (centavos) per state at the debt calculator, for the summary.
    public var principalByState: [String: Int64]
    public var ok: Bool { checks.allSatisfy(\.ok) }

    /// What the replay sent, to check against what the services recorded.
    public struct Expectations: Sendable {
        /// Atendimentos in the load's manifest.
        public var atendimentos: Int
        /// The filings submitted (ciências, impugnações, decisions, recursos).
        public var filings: ReplayFilings
        /// The payments sent in bank-return files.
        public var payments: [ReplayPaymentPlan.Payment]
        /// The parcelamentos asked for and the first installments paid.
        public var parcelamentos: [ReplayParcelamento]
        public var installmentPayments: [InstallmentPayment]
        /// Charge GRUs not paid in full that must be in CADIN, and referred to dívida ativa (``ReplayCollection``).
        public var cadin: Int
        public var dividaAtiva: Int

        public init(atendimentos: Int, filings: ReplayFilings, payments: [ReplayPaymentPlan.Payment],
                    parcelamentos: [ReplayParcelamento] = [], installmentPayments: [InstallmentPayment] = [],
                    cadin: Int = 0, dividaAtiva: Int = 0) {
            self.atendimentos = atendimentos
            self.filings = filings
            self.payments = payments
            self.parcelamentos = parcelamentos
            self.installmentPayments = installmentPayments
            self.cadin = cadin
            self.dividaAtiva = dividaAtiva
        }
    }

    /// Reads every figure and compares with `expected` (from the load's files and what the replay sent).
    public static func read(expected: Expectations, on connection: PostgresConnection) throws -> ReplayReconciliation {
        let expectedAtendimentos = expected.atendimentos
        func value(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Int64 {
            try connection.query(sql, parameters)[0].decode(Int64.self, at: 0)
        }
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
        // Paid principal recorded by the debt calculator = principal the GRUs no longer have open (charge
        // GRUs and installments), less what a parcelamento took.
        let paidPrincipal = try value("SELECT coalesce(sum(principal), 0)::bigint FROM debt_calculator.payments")
        let settledGRUs = try value("""
            SELECT coalesce(sum(principal - open_principal - parcelled_principal), 0)::bigint FROM debt_calculator.grus
            WHERE purpose IN ('cobranca', 'parcela')
            """)
        check("principal pago (pagamentos) = principal quitado das GRUs", paidPrincipal, settledGRUs)
        // Paid = recorded by the FNS recorder = transferred to the FNS.
        let paid = try value("SELECT coalesce(sum(principal + multa + juros), 0)::bigint FROM debt_calculator.payments")
        let recorded = try value("SELECT coalesce(sum(total), 0)::bigint FROM fns_transfer.settlements")
        check("pago (debt-calculator) = registrado (fns-transfer)", paid, recorded)
        check("registrado = repassado ao FNS", recorded, try value("SELECT coalesce(sum(total), 0)::bigint FROM fns_transfer.repasses"))
        check("GRUs emitidas = GRUs no portal", try value("SELECT count(*) FROM debt_calculator.grus"),
              try value("SELECT count(*) FROM report_publisher.rm_grus"))
        checks += try filingChecks(expected.filings, value: value)
        checks += try paymentChecks(expected.payments, value: value)
        checks += try parcelamentoChecks(expected.parcelamentos, expected.installmentPayments, value: value)
        // Collection (DOMAIN §7): the GRUs not paid in full past their CADIN and dívida ativa dates.
        check("GRUs não quitadas após o prazo do CADIN (calendário) = GRUs no CADIN", Int64(expected.cadin),
              try value("SELECT count(*) FROM debt_calculator.grus WHERE purpose = 'cobranca' AND in_cadin"))
        check("GRUs não quitadas 90 dias após o vencimento (calendário) = inscritas em dívida ativa", Int64(expected.dividaAtiva),
              try value("""
                  SELECT count(*) FROM debt_calculator.grus WHERE purpose = 'cobranca' AND state = 'inscrita_em_divida_ativa'
                  """))
        return ReplayReconciliation(checks: checks, principalByState: byState)
    }
}

extension ReplayReconciliation {
    typealias Read = (_ sql: String, _ parameters: [any PostgresEncodable]) throws -> Int64

    /// The filings as the deadlines service decided them, and what they did to the charges.
    static func filingChecks(_ filings: ReplayFilings, value: Read) throws -> [Check] {
        let annulled = filings.annulledDocuments, parcial = filings.parcial
        return [
            Check(name: "ciências expressas (ciencias.csv) = registradas como expressas",
                  left: Int64(filings.ciencias.count),
                  right: try value("SELECT count(*) FROM deadlines.notifications WHERE ciencia_kind = 'expressa'", [])),
            Check(name: "impugnações (impugnacoes.csv) = aceitas", left: Int64(filings.impugnacoes.count),
                  right: try value("SELECT count(*) FROM deadlines.impugnacoes WHERE status = 'aceita'", [])),
            Check(name: "decisões de impugnação = registradas", left: Int64(filings.impugnacoes.count),
                  right: try value("SELECT count(*) FROM deadlines.decisions WHERE instance = 1", [])),
            Check(name: "recursos (impugnacoes.csv) = aceitos", left: Int64(filings.recursos.count),
                  right: try value("SELECT count(*) FROM deadlines.recursos WHERE status = 'aceito'", [])),
            Check(name: "decisões de recurso = registradas", left: Int64(filings.recursos.count),
                  right: try value("SELECT count(*) FROM deadlines.decisions WHERE instance = 2", [])),
            // Deferida (impugnação or recurso): annulled, never charged.
            Check(name: "anulados (deferidas + recursos deferidos) = anulados (deadlines)", left: Int64(annulled.count),
                  right: try value("SELECT count(*) FROM deadlines.atendimentos WHERE state = 'anulado'", [])),
            Check(name: "atendimentos anulados cobrados = 0", left: 0, right: try value("""
                SELECT count(*) FROM debt_calculator.charges c, unnest(c.documents) AS d(document)
                WHERE d.document = ANY($1)
                """, [annulled])),
            // Parcial: charged at the decided value.
            Check(name: "valor das decisões parciais (impugnacoes.csv) = cobrado por esses atendimentos, centavos",
                  left: parcial.total.centavos, right: try value("""
                      SELECT coalesce(sum(u.amount::bigint), 0)::bigint
                      FROM debt_calculator.charges c, unnest(c.documents, c.amounts) AS u(document, amount)
                      WHERE u.document = ANY($1)
                      """, [parcial.documents])),
        ]
    }

    /// The payments sent, as the debt calculator classified and settled them.
    static func paymentChecks(_ payments: [ReplayPaymentPlan.Payment], value: Read) throws -> [Check] {
        let late = payments.filter { $0.kind == .late }, partial = payments.filter { $0.kind == .partial }
        return [
            Check(name: "pagamentos enviados (exceto parcelas) = registrados (debt-calculator)", left: Int64(payments.count),
                  right: try value("""
                      SELECT count(*) FROM debt_calculator.payments p JOIN debt_calculator.grus g USING (gru_number)
                      WHERE g.purpose = 'cobranca'
                      """, [])),
            // Late: the multa and juros due on the payment date (LateChargeCalculator), recorded as such.
            Check(name: "pagamentos em atraso = classificados em atraso", left: Int64(late.count),
                  right: try value("SELECT count(*) FROM debt_calculator.payments WHERE classification = 'em_atraso'", [])),
            Check(name: "multa + juros dos pagamentos em atraso (calculados) = registrados, centavos",
                  left: late.reduce(0) { $0 + $1.due.multa.centavos + $1.due.juros.centavos },
                  right: try value("""
                      SELECT coalesce(sum(multa + juros), 0)::bigint FROM debt_calculator.payments WHERE classification = 'em_atraso'
                      """, [])),
            Check(name: "multa + juros pagos (debt-calculator) = repassados ao FNS, centavos",
                  left: try value("SELECT coalesce(sum(multa + juros), 0)::bigint FROM debt_calculator.payments", []),
                  right: try value("SELECT coalesce(sum(multa + juros), 0)::bigint FROM fns_transfer.repasses", [])),
            // Partial: the amount is split, the GRU stays open with principal left.
            Check(name: "pagamentos parciais (arquivo) = registrados como parciais, centavos",
                  left: partial.reduce(0) { $0 + $1.amount.centavos },
                  right: try value("""
                      SELECT coalesce(sum(principal + multa + juros), 0)::bigint FROM debt_calculator.payments
                      WHERE classification = 'parcial'
                      """, [])),
            Check(name: "GRUs pagas em parte = GRUs com principal em aberto após o pagamento parcial",
                  left: Int64(partial.count), right: try value("""
                      SELECT count(*) FROM debt_calculator.grus
                      WHERE gru_number = ANY($1) AND open_principal > 0 AND paid_total > 0
                      """, [partial.map(\.gru)])),
        ]
    }

    /// The parcelamentos asked for (DOMAIN §6), granted by their first installment.
    static func parcelamentoChecks(_ parcelamentos: [ReplayParcelamento], _ installments: [InstallmentPayment],
                                   value: Read) throws -> [Check] {
        let paid = installments.reduce(Int64(0)) { $0 + $1.amount.centavos }
        return [
            Check(name: "GRUs nos pedidos de parcelamento = GRUs parceladas",
                  left: Int64(parcelamentos.reduce(0) { $0 + $1.grus.count }),
                  right: try value("SELECT count(*) FROM debt_calculator.grus WHERE purpose = 'cobranca' AND state = 'parcelada'", [])),
            Check(name: "principal em aberto das GRUs pedidas = principal parcelado, centavos",
                  left: parcelamentos.reduce(0) { $0 + $1.principal.centavos },
                  right: try value("""
                      SELECT coalesce(sum(parcelled_principal), 0)::bigint FROM debt_calculator.grus WHERE state = 'parcelada'
                      """, [])),
            Check(name: "parcelamentos pedidos = deferidos pela 1ª parcela paga", left: Int64(parcelamentos.count),
                  right: try value("""
                      SELECT count(*) FROM debt_calculator.parcelamentos WHERE state IN ('deferido', 'quitado')
                      """, [])),
            Check(name: "parcelas pagas (arquivo) = registradas (debt-calculator), centavos", left: paid, right: try value("""
                SELECT coalesce(sum(p.principal + p.multa + p.juros), 0)::bigint FROM debt_calculator.payments p
                JOIN debt_calculator.grus g USING (gru_number) WHERE g.purpose = 'parcela'
                """, [])),
            Check(name: "parcelas pagas (arquivo) = registradas como parcelas (fns-transfer), centavos", left: paid,
                  right: try value("SELECT coalesce(sum(total), 0)::bigint FROM fns_transfer.settlements WHERE installment", [])),
        ]
    }
}
