import Foundation
import Models
import Postgres

/// A count and an amount (e.g. atendimentos charged and the amount charged).
public struct CountAmount: Sendable, Hashable, Codable {
    public var count: Int
    public var amount: Money

    public init(count: Int = 0, amount: Money = .zero) {
        self.count = count
        self.amount = amount
    }

    public static func + (lhs: CountAmount, rhs: CountAmount) -> CountAmount {
        CountAmount(count: lhs.count + rhs.count, amount: lhs.amount + rhs.amount)
    }
}

/// The figures of the Dados Gerais do Ressarcimento ao SUS (DOMAIN §8) for one year or overall.
/// Each measure counts what happened in the period (by the date of the event that caused it):
///
/// - identified: atendimentos notified (Ofício ABI made available), amount to reimburse;
/// - charged: atendimentos in charges issued, amount charged;
/// - impugned: atendimentos with an impugnação accepted for decision, their notified amount;
/// - annulled: atendimentos annulled by a deferida decision, their original amount;
/// - paid: settled payments of charge or reissued GRUs, their principal (installments count as parcelled);
/// - parcelled, suspended, dívida ativa: GRUs entering that state, the principal open then;
/// - collected: every settled payment, principal + multa + juros;
/// - transferred: repasses to the FNS, their total;
/// - índice de adimplência = (paid + parcelled) / charged × 100 (amounts).
public struct DadosGeraisFigures: Sendable, Hashable, Codable {
    public var identified = CountAmount()
    public var charged = CountAmount()
    public var impugned = CountAmount()
    public var annulled = CountAmount()
    public var paid = CountAmount()
    public var parcelled = CountAmount()
    public var suspended = CountAmount()
    public var dividaAtiva = CountAmount()
    public var collected = CountAmount()
    public var transferred = CountAmount()

    public init() {}

    /// (paid + parcelled) / charged × 100 in hundredths of a percent, rounded half-up (8750 =
    /// 87,50%); nil when nothing was charged.
    public var indiceAdimplenciaHundredths: Int64? {
        let charged = self.charged.amount.centavos
        guard charged > 0 else { return nil }
        let numerator = Int128(paid.amount.centavos + parcelled.amount.centavos) * 10_000
        return Int64((numerator * 2 + Int128(charged)) / (Int128(charged) * 2))
    }

    /// The índice as Portuguese text, e.g. "87,50%" ("—" when nothing was charged).
    public var indiceAdimplenciaText: String {
        guard let value = indiceAdimplenciaHundredths else { return "—" }
        let fraction = value % 100
        return "\(value / 100),\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    public static func + (lhs: DadosGeraisFigures, rhs: DadosGeraisFigures) -> DadosGeraisFigures {
        var sum = DadosGeraisFigures()
        for measure in Measure.allCases { sum[measure] = lhs[measure] + rhs[measure] }
        return sum
    }

    /// The measures, in the order they are published.
    public enum Measure: String, CaseIterable, Sendable, Codable {
        case identified = "identificados"
        case charged = "cobrados"
        case impugned = "impugnados"
        case annulled = "anulados"
        case paid = "pagos"
        case parcelled = "parcelados"
        case suspended = "suspensos"
        case dividaAtiva = "divida_ativa"
        case collected = "arrecadados"
        case transferred = "repassados"

        /// Label for people (Portuguese).
        public var rotulo: String {
            switch self {
            case .identified: "Atendimentos identificados"
            case .charged: "Cobrados"
            case .impugned: "Impugnados"
            case .annulled: "Anulados"
            case .paid: "Pagos"
            case .parcelled: "Parcelados"
            case .suspended: "Suspensos judicialmente"
            case .dividaAtiva: "Inscritos em dívida ativa"
            case .collected: "Arrecadados (com multa e juros)"
            case .transferred: "Repassados ao FNS"
            }
        }

        /// What the count counts (Portuguese).
        public var unidade: String {
            switch self {
            case .identified, .charged, .impugned, .annulled: "atendimentos"
            case .paid, .collected: "pagamentos"
            case .parcelled, .suspended, .dividaAtiva: "GRUs"
            case .transferred: "repasses"
            }
        }
    }

    public subscript(measure: Measure) -> CountAmount {
        get {
            switch measure {
            case .identified: identified
            case .charged: charged
            case .impugned: impugned
            case .annulled: annulled
            case .paid: paid
            case .parcelled: parcelled
            case .suspended: suspended
            case .dividaAtiva: dividaAtiva
            case .collected: collected
            case .transferred: transferred
            }
        }
        set {
            switch measure {
            case .identified: identified = newValue
            case .charged: charged = newValue
            case .impugned: impugned = newValue
            case .annulled: annulled = newValue
            case .paid: paid = newValue
            case .parcelled: parcelled = newValue
            case .suspended: suspended = newValue
            case .dividaAtiva: dividaAtiva = newValue
            case .collected: collected = newValue
            case .transferred: transferred = newValue
            }
        }
    }
}

/// The Dados Gerais per year (ascending) and overall.
public struct DadosGerais: Sendable, Hashable, Codable {
    public struct Year: Sendable, Hashable, Codable {
        public var year: Int
        public var figures: DadosGeraisFigures

        public init(year: Int, figures: DadosGeraisFigures) {
            self.year = year
            self.figures = figures
        }
    }

    public var years: [Year]
    public var overall: DadosGeraisFigures

    public init(years: [Year], overall: DadosGeraisFigures) {
        self.years = years
        self.overall = overall
    }
}

extension FNSReports {
    /// The Dados Gerais built from the events recorded so far.
    public static func dadosGerais(on connection: PostgresConnection) throws -> DadosGerais {
        var byYear: [Int: DadosGeraisFigures] = [:]
        for row in try connection.query(dadosGeraisQuery) {
            guard let measure = DadosGeraisFigures.Measure(rawValue: try row.decode(String.self, at: 0)) else { continue }
            let year = try row.decode(Int.self, at: 1)
            byYear[year, default: DadosGeraisFigures()][measure] = CountAmount(
                count: try row.decode(Int.self, at: 2), amount: try row.money(at: 3))
        }
        let years = byYear.keys.sorted().map { DadosGerais.Year(year: $0, figures: byYear[$0]!) }
        return DadosGerais(years: years, overall: years.map(\.figures).reduce(DadosGeraisFigures(), +))
    }

    static let dadosGeraisQuery = PostgresStatement("""
        SELECT 'identificados', extract(year FROM available_on)::integer, sum(atendimento_count)::integer, sum(total)::bigint
            FROM notifications GROUP BY 2
        UNION ALL
        SELECT 'cobrados', extract(year FROM issued_on)::integer, sum(atendimento_count)::integer, sum(total)::bigint
            FROM charges GROUP BY 2
        UNION ALL
        SELECT 'impugnados', extract(year FROM i.filed_on)::integer, count(*)::integer, coalesce(sum(a.amount), 0)::bigint
            FROM impugnacoes i LEFT JOIN atendimentos a USING (document, competencia) GROUP BY 2
        UNION ALL
        SELECT 'anulados', extract(year FROM released_on)::integer, count(*)::integer, sum(original_amount)::bigint
            FROM released_atendimentos WHERE outcome = 'deferida' GROUP BY 2
        UNION ALL
        SELECT 'pagos', extract(year FROM paid_on)::integer, count(*)::integer, sum(principal)::bigint
            FROM settlements WHERE NOT installment GROUP BY 2
        UNION ALL
        SELECT 'arrecadados', extract(year FROM paid_on)::integer, count(*)::integer, sum(total)::bigint
            FROM settlements GROUP BY 2
        UNION ALL
        SELECT CASE state WHEN 'parcelada' THEN 'parcelados' WHEN 'suspensa_judicialmente' THEN 'suspensos'
                          ELSE 'divida_ativa' END,
               extract(year FROM effective_on)::integer, count(*)::integer, sum(amount)::bigint
            FROM gru_transitions GROUP BY 1, 2
        UNION ALL
        SELECT 'repassados', extract(year FROM transferred_on)::integer, count(*)::integer, sum(total)::bigint
            FROM repasses GROUP BY 2
        """)
}
