import Foundation
import Models
import Postgres

/// An operadora as the read model knows it.
public struct OperadoraView: Sendable, Hashable {
    public let registroANS: String
    public let cnpj: String
    public let razaoSocial: String
    public let email: String

    /// "12.345.678/0001-95" (or the raw value if it does not parse).
    public var formattedCNPJ: String { (try? CNPJ(cnpj))?.formatted ?? cnpj }
}

/// A GRU's row in the read model (its current state).
public struct GRUView: Sendable, Hashable {
    public let number: String
    public let registroANS: String
    public let purpose: String
    public let abis: String
    public let principal: Money
    public let amount: Money
    public let issuedOn: CivilDate
    public let dueDate: CivilDate
    public let accrualDate: CivilDate
    public let state: GRUState
    public let openPrincipal: Money
    public let paidTotal: Money
    public let credit: Money
    public let replaces: String?
    public let replacedBy: String?
    public let installment: Int?
    public let courtProcess: String?
    public let linhaDigitavel: String
}

/// One step of a GRU's history.
public struct GRUHistoryEntry: Sendable, Hashable {
    public let effectiveOn: CivilDate
    public let state: GRUState
    public let openPrincipal: Money
    public let paidTotal: Money
    public let reason: String
}

/// A GRU as it stood on a reference date (its last change on or before that date).
public struct GRUPosition: Sendable, Hashable {
    public let number: String
    public let abis: String
    public let dueDate: CivilDate
    public let principal: Money
    public let state: GRUState
    public let openPrincipal: Money
    public let paidTotal: Money
    public let accrualDate: CivilDate
}

/// A notification (Ofício ABI) of the operadora, with its ciência.
public struct NotificationView: Sendable, Hashable {
    public let abi: Int
    public let availableOn: CivilDate?
    public let atendimentoCount: Int?
    public let total: Money?
    public let cienciaOn: CivilDate?
    public let cienciaKind: String?
    public let impugnacaoWindowEnd: CivilDate?
    /// The date the operadora gave ciência in the portal (awaiting the deadlines service).
    public let portalCienciaOn: CivilDate?
}

/// An atendimento of the operadora with its situation.
public struct AtendimentoView: Sendable, Hashable {
    public let document: String
    public let abi: Int
    /// The descriptive fields are nil while only process steps arrived (the notification's batch,
    /// on another topic, has not been applied yet).
    public let kind: String?
    public let competencia: String?
    public let careStart: CivilDate?
    public let procedure: String?
    public let amount: Money?
    public let finalAmount: Money?
    public let situation: AtendimentoSituation
    public let gruNumber: String?
    public let note: String?
}

/// Filters of the atendimentos list.
public struct AtendimentoFilter: Sendable, Hashable {
    public var abi: Int?
    /// "AIH" or "APAC".
    public var kind: String?
    public var situation: AtendimentoSituation?
    public var document: String?
    public init(abi: Int? = nil, kind: String? = nil, situation: AtendimentoSituation? = nil, document: String? = nil) {
        self.abi = abi
        self.kind = kind
        self.situation = situation
        self.document = document
    }
}

/// Reads of the read model. Every query takes the operadora's registro ANS and filters by it: this
/// is where tenant isolation is enforced.
public enum ReadModelQueries {
    /// The operadoras whose CNPJ root is `root` (normally one).
    public static func operadoras(cnpjRoot root: String, on c: PostgresConnection) throws -> [OperadoraView] {
        try c.query(operadorasByRoot, [root]).map { row in
            OperadoraView(registroANS: try row.decode(at: 0), cnpj: try row.decode(at: 1),
                          razaoSocial: try row.decode(at: 2), email: try row.decode(at: 3))
        }
    }

    public static func grus(of registro: String, limit: Int = 1_000_000, offset: Int = 0,
                            on c: PostgresConnection) throws -> [GRUView] {
        try c.query(grusOf, [registro, limit, offset]).map(gruView)
    }

    public static func gruCount(of registro: String, on c: PostgresConnection) throws -> Int {
        try c.query("SELECT count(*) FROM rm_grus WHERE registro_ans = $1", [registro])[0].decode(Int.self, at: 0)
    }

    /// The GRU `number` if it belongs to `registro`; nil otherwise (also for another operadora's GRU).
    public static func gru(_ number: String, of registro: String, on c: PostgresConnection) throws -> GRUView? {
        try c.query(gruByNumber, [number, registro]).first.map(gruView)
    }

    public static func history(of number: String, registro: String, on c: PostgresConnection) throws -> [GRUHistoryEntry] {
        try c.query(historyOf, [number, registro]).map { row in
            GRUHistoryEntry(
                effectiveOn: try row.civilDate(at: 0),
                state: GRUState(rawValue: try row.decode(at: 1)) ?? .emitida,
                openPrincipal: Money(centavos: try row.decode(at: 2)), paidTotal: Money(centavos: try row.decode(at: 3)),
                reason: try row.decode(at: 4))
        }
    }

    /// Every GRU issued on or before `date`, as it stood on `date`.
    public static func positions(of registro: String, asOf date: CivilDate, on c: PostgresConnection) throws -> [GRUPosition] {
        try c.query(positionsAsOf, [registro, date.postgres]).map { row in
            GRUPosition(
                number: try row.decode(at: 0), abis: try row.decode(at: 1),
                dueDate: try row.civilDate(at: 2), principal: Money(centavos: try row.decode(at: 3)),
                state: GRUState(rawValue: try row.decode(at: 4)) ?? .emitida,
                openPrincipal: Money(centavos: try row.decode(at: 5)), paidTotal: Money(centavos: try row.decode(at: 6)),
                accrualDate: try row.civilDate(at: 7))
        }
    }

    public static func notifications(of registro: String, on c: PostgresConnection) throws -> [NotificationView] {
        try c.query(notificationsOf, [registro]).map { row in
            NotificationView(
                abi: try row.decode(at: 0), availableOn: try row.optionalCivilDate(at: 1),
                atendimentoCount: try row.decode(at: 2), total: try row.decode(Int64?.self, at: 3).map(Money.init(centavos:)),
                cienciaOn: try row.optionalCivilDate(at: 4), cienciaKind: try row.decode(at: 5),
                impugnacaoWindowEnd: try row.optionalCivilDate(at: 6),
                portalCienciaOn: try row.optionalCivilDate(at: 7))
        }
    }

    /// A page of atendimentos matching `filter`, and how many match in all.
    public static func atendimentos(of registro: String, filter: AtendimentoFilter, limit: Int, offset: Int,
                                    on c: PostgresConnection) throws -> (rows: [AtendimentoView], total: Int) {
        let parameters: [any PostgresEncodable] = [
            registro, filter.abi, filter.kind, filter.situation?.rawValue, filter.document, limit, offset]
        // With a situation, statements where it is required, so even a generic plan uses the index
        // `rm_atendimentos_by_situation` (an `IS NULL OR` condition cannot be an index condition).
        let bySituation = filter.situation != nil
        let result = try c.query(bySituation ? atendimentosBySituationPage : atendimentosPage, parameters)
        let rows = try result.map { row in
            AtendimentoView(
                document: try row.decode(at: 0), abi: try row.decode(at: 1), kind: try row.decode(at: 2),
                competencia: try row.decode(at: 3), careStart: try row.optionalCivilDate(at: 4),
                procedure: try row.decode(at: 5), amount: try row.decode(Int64?.self, at: 6).map(Money.init(centavos:)),
                finalAmount: try row.decode(Int64?.self, at: 7).map(Money.init(centavos:)),
                situation: AtendimentoSituation(rawValue: try row.decode(at: 8)) ?? .notificado,
                gruNumber: try row.decode(at: 9), note: try row.decode(at: 10))
        }
        let total = try c.query(bySituation ? atendimentosBySituationCount : atendimentosCount,
                                Array(parameters.prefix(5)))[0].decode(Int.self, at: 0)
        return (rows, total)
    }

    /// The SELIC table: the seed with every month published by `SelicRatesPublished` (the last
    /// publication of a month wins, seed months included), built like the debt calculator's
    /// (`SelicTable.withPublished`), so both print the same numbers and version.
    public static func selicTable(on c: PostgresConnection) throws -> SelicTable {
        let months = try c.query("SELECT month, basis_points, version FROM rm_selic_rates ORDER BY month").map { row in
            PublishedSelicMonth(month: try YearMonth(parsing: try row.decode(String.self, at: 0)),
                                rate: Percent(basisPoints: try row.decode(Int64.self, at: 1)),
                                publication: try row.decode(String.self, at: 2))
        }
        return SelicTable.seed.withPublished(months)
    }

    private static func gruView(_ row: PostgresRow) throws -> GRUView {
        GRUView(
            number: try row.decode(at: 0), registroANS: try row.decode(at: 1), purpose: try row.decode(at: 2),
            abis: try row.decode(at: 3), principal: Money(centavos: try row.decode(at: 4)),
            amount: Money(centavos: try row.decode(at: 5)), issuedOn: try row.civilDate(at: 6),
            dueDate: try row.civilDate(at: 7),
            accrualDate: try row.civilDate(at: 8),
            state: GRUState(rawValue: try row.decode(at: 9)) ?? .emitida,
            openPrincipal: Money(centavos: try row.decode(at: 10)), paidTotal: Money(centavos: try row.decode(at: 11)),
            credit: Money(centavos: try row.decode(at: 12)), replaces: try row.decode(at: 13),
            replacedBy: try row.decode(at: 14), installment: try row.decode(at: 15), courtProcess: try row.decode(at: 16),
            linhaDigitavel: try row.decode(at: 17))
    }

    static let gruColumns = """
        gru_number, registro_ans, purpose, abis, principal, amount, issued_on, due_date, accrual_date, state,
        open_principal, paid_total, credit, replaces, replaced_by, installment, court_process, linha_digitavel
        """
    static let operadorasByRoot = PostgresStatement(
        "SELECT registro_ans, cnpj, razao_social, email FROM rm_operadoras WHERE cnpj_root = $1 ORDER BY registro_ans")
    static let grusOf = PostgresStatement(
        "SELECT \(gruColumns) FROM rm_grus WHERE registro_ans = $1 ORDER BY issued_on DESC, gru_number DESC LIMIT $2 OFFSET $3")
    static let gruByNumber = PostgresStatement(
        "SELECT \(gruColumns) FROM rm_grus WHERE gru_number = $1 AND registro_ans = $2")
    static let historyOf = PostgresStatement("""
        SELECT h.effective_on, h.state, h.open_principal, h.paid_total, h.reason
        FROM rm_gru_history h JOIN rm_grus g USING (gru_number)
        WHERE h.gru_number = $1 AND g.registro_ans = $2 ORDER BY h.seq
        """)
    static let positionsAsOf = PostgresStatement("""
        SELECT g.gru_number, g.abis, g.due_date, g.principal, h.state, h.open_principal, h.paid_total, h.accrual_date
        FROM rm_grus g
        JOIN LATERAL (
            SELECT state, open_principal, paid_total, accrual_date FROM rm_gru_history h
            WHERE h.gru_number = g.gru_number AND h.effective_on <= $2 ORDER BY h.seq DESC LIMIT 1
        ) h ON true
        WHERE g.registro_ans = $1 AND g.issued_on <= $2
        ORDER BY g.due_date, g.gru_number
        """)
    static let notificationsOf = PostgresStatement("""
        SELECT n.abi, n.available_on, n.atendimento_count, n.total_to_reimburse, n.ciencia_on, n.ciencia_kind,
               n.impugnacao_window_end, p.requested_on
        FROM rm_notifications n
        LEFT JOIN portal_ciencia_requests p ON p.registro_ans = n.registro_ans AND p.abi = n.abi
        WHERE n.registro_ans = $1 ORDER BY n.abi DESC
        """)
    /// The situation of a charged atendimento from its GRU (`g`) and the GRU's parcelamento (`p`),
    /// as the projection stores it in `rm_atendimentos.charge_situation`.
    static let chargeSituation = """
        CASE
            WHEN g.state IS NULL THEN 'cobrado_acumulado'
            WHEN g.state IN ('paga', 'paga_com_atraso') THEN 'pago'
            WHEN g.state = 'parcelada' AND p.state = 'quitado' THEN 'pago'
            WHEN g.state = 'parcelada' THEN 'parcelado'
            WHEN g.state = 'suspensa_judicialmente' THEN 'suspenso'
            WHEN g.state = 'inscrita_em_divida_ativa' THEN 'divida_ativa'
            ELSE 'cobrado'
        END
        """
    /// The situation: the process state until charged, then the stored GRU situation (a charge not
    /// yet applied counts as held, like a charge without GRU). The index
    /// `rm_atendimentos_by_situation` is on this expression: keep them identical.
    static func situation(_ table: String = "") -> String {
        "CASE WHEN \(table)charge_id IS NULL THEN \(table)process_state "
            + "ELSE COALESCE(\(table)charge_situation, 'cobrado_acumulado') END"
    }
    static let situated = """
        SELECT a.document, a.abi, a.kind, NULLIF(a.competencia, '') AS competencia, a.care_start, a.procedure_code, a.amount, a.final_amount,
            \(situation("a.")) AS situation, c.gru_number, a.note
        FROM rm_atendimentos a
        LEFT JOIN rm_charges c ON c.charge_id = a.charge_id
        WHERE a.registro_ans = $1
        """
    static let filters = """
        ($2::integer IS NULL OR abi = $2) AND ($3::text IS NULL OR kind = $3)
        AND ($4::text IS NULL OR situation = $4) AND ($5::text IS NULL OR document = $5)
        """
    static let atendimentosPage = PostgresStatement(
        "SELECT * FROM (\(situated)) s WHERE \(filters) ORDER BY abi DESC, document, competencia LIMIT $6 OFFSET $7")
    static let atendimentosCount = PostgresStatement("SELECT count(*) FROM (\(situated)) s WHERE \(filters)")
    static let situationFilters = filters.replacingOccurrences(of: "($4::text IS NULL OR situation = $4)", with: "situation = $4")
    static let atendimentosBySituationPage = PostgresStatement(
        "SELECT * FROM (\(situated)) s WHERE \(situationFilters) ORDER BY abi DESC, document, competencia LIMIT $6 OFFSET $7")
    static let atendimentosBySituationCount = PostgresStatement("SELECT count(*) FROM (\(situated)) s WHERE \(situationFilters)")
}
