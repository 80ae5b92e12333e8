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

    /// A page of the operadora's GRUs (newest first) and how many it has: read from whichever end of
    /// the list is nearer, so the last pages cost what the first ones do.
    public static func gruPage(of registro: String, limit: Int, offset: Int,
                               on c: PostgresConnection) throws -> (rows: [GRUView], total: Int) {
        let total = try gruCount(of: registro, on: c)
        let window = PageWindow(limit: limit, offset: offset, total: total)
        guard window.limit > 0 else { return ([], total) }
        let rows = try c.query(window.reversed ? grusOfOldestFirst : grusOf, [registro, window.limit, window.offset]).map(gruView)
        return (window.reversed ? rows.reversed() : rows, total)
    }

    public static func gruCount(of registro: String, on c: PostgresConnection) throws -> Int {
        try c.query(gruCountOf, [registro])[0].decode(Int.self, at: 0)
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
        var matching = AtendimentoConditions(registro: registro, filter: filter)
        let counts = try matchingCounts(of: registro, filter: filter, matching: matching, on: c)
        let window = PageWindow(limit: limit, offset: offset, total: counts.total)
        guard window.limit > 0 else { return ([], counts.total) }
        // The page is cut from the atendimentos alone (an index scan in the list's order, or its
        // reverse, from the first ABI the page reaches), then joined with its charges.
        var rowsToSkip = window.offset
        if let perABI = counts.perABI, let span = ABISpan(counts: perABI, window: window) {
            matching.add("a.abi >= ", span.lowest)
            matching.add("a.abi <= ", span.highest)
            rowsToSkip = span.offset
        }
        let order = window.reversed ? "a.abi, a.document DESC, a.competencia DESC" : "a.abi DESC, a.document, a.competencia"
        let n = matching.parameters.count
        let page = try c.query(PostgresStatement("""
            \(situated) FROM (SELECT * FROM rm_atendimentos a WHERE \(matching.sql) ORDER BY \(order) LIMIT $\(n + 1) OFFSET $\(n + 2)) a
            CROSS JOIN LATERAL (SELECT \(charge(of: "a")) AS id OFFSET 0) k
            LEFT JOIN rm_charges c ON c.charge_id = k.id
            ORDER BY \(order)
            """), matching.parameters + [window.limit, rowsToSkip])
        let rows = try (window.reversed ? page.reversed() : Array(page)).map { row in
            AtendimentoView(
                document: try row.decode(at: 0), abi: try row.decode(at: 1), kind: try row.decode(at: 2),
                competencia: try row.decode(at: 3), careStart: try row.optionalCivilDate(at: 4),
                procedure: try row.decode(at: 5), amount: try row.decode(Int64?.self, at: 6).map(Money.init(centavos:)),
                finalAmount: try row.decode(Int64?.self, at: 7).map(Money.init(centavos:)),
                situation: AtendimentoSituation(rawValue: try row.decode(at: 8)) ?? .notificado,
                gruNumber: try row.decode(at: 9), note: try row.decode(at: 10))
        }
        return (rows, counts.total)
    }

    /// How many atendimentos match, and how many in each ABI (`perABI`, highest ABI first, only ABIs
    /// with some): from the counts the triggers of migration 105 keep, not by scanning the operadora's
    /// atendimentos. With a document (one row at most) it is counted directly, without `perABI`.
    private static func matchingCounts(of registro: String, filter: AtendimentoFilter, matching: AtendimentoConditions,
                                       on c: PostgresConnection) throws -> (total: Int, perABI: [(abi: Int, count: Int)]?) {
        guard filter.document == nil else {
            let total = try c.query(PostgresStatement("SELECT count(*) FROM rm_atendimentos a WHERE \(matching.sql)"),
                                    matching.parameters)[0].decode(Int.self, at: 0)
            return (total, nil)
        }
        let counted = AtendimentoConditions(registro: registro, filter: filter, situation: "a.situation")
        let perABI = try c.query(PostgresStatement("""
            SELECT a.abi, sum(a.count)::bigint FROM rm_atendimento_counts a WHERE \(counted.sql)
            GROUP BY a.abi HAVING sum(a.count) > 0 ORDER BY a.abi DESC
            """), counted.parameters).map { (abi: try $0.decode(Int.self, at: 0), count: try $0.decode(Int.self, at: 1)) }
        return (perABI.reduce(0) { $0 + $1.count }, perABI)
    }

    /// The ABIs a page reaches and where it starts in the first of them, from the matching rows per
    /// ABI: the page's statement then reads only those ABIs' rows, skipping `offset` of them,
    /// instead of every matching row before the page (and every non-matching one among them, as
    /// a situation has no index: migration 106).
    struct ABISpan: Equatable {
        let lowest: Int
        let highest: Int
        /// Rows to skip, counted in the window's reading order from the first ABI it reaches.
        let offset: Int

        /// `counts` highest ABI first; nil when the window reaches none of them.
        init?(counts: [(abi: Int, count: Int)], window: PageWindow) {
            let ordered = window.reversed ? counts.reversed() : counts
            var before = 0
            var reached: [Int] = []
            var offset = 0
            for (abi, count) in ordered where count > 0 {
                if before + count > window.offset && before < window.offset + window.limit {
                    if reached.isEmpty { offset = window.offset - before }
                    reached.append(abi)
                }
                before += count
            }
            guard let first = reached.first, let last = reached.last else { return nil }
            (lowest, highest, self.offset) = (min(first, last), max(first, last), offset)
        }
    }

    /// The rows to read for a page of `limit` rows at `offset` in a list of `total`: past the middle,
    /// the page is read from the list's other end (`reversed`, at the mirrored offset) and reversed
    /// again in memory, so no page skips more than half of the list. `limit` is 0 past the end.
    struct PageWindow: Equatable {
        let limit: Int
        let offset: Int
        let reversed: Bool

        init(limit: Int, offset: Int, total: Int) {
            let rows = max(0, min(limit, total - offset))
            if offset > 0 && offset + rows / 2 > total / 2 {
                self.init(rows: rows, offset: max(0, total - offset - rows), reversed: true)
            } else {
                self.init(rows: rows, offset: offset, reversed: false)
            }
        }

        private init(rows: Int, offset: Int, reversed: Bool) {
            self.limit = rows
            self.offset = offset
            self.reversed = reversed
        }
    }

    /// The WHERE clause of a filter, with only the conditions it sets: one statement per combination
    /// of filters, so each plan (even a generic one, after five runs of a prepared statement) uses
    /// the index for exactly those columns (`rm_atendimentos_listing`, the primary key); an
    /// `$n IS NULL OR` condition could never be an index condition. The situation has no index
    /// (migration 106 keeps the projection's updates off the indexes): the listing index is read in
    /// the list's order and each row's situation checked until the page is full.
    struct AtendimentoConditions {
        private(set) var sql = "a.registro_ans = $1"
        private(set) var parameters: [any PostgresEncodable]

        /// `situation` is the situation's expression on the table `a` (a column of `rm_atendimento_counts`).
        init(registro: String, filter: AtendimentoFilter, situation: String = ReadModelQueries.situation(of: "a")) {
            parameters = [registro]
            add("a.abi = ", filter.abi)
            add("a.kind = ", filter.kind)
            add("\(situation) = ", filter.situation?.rawValue)
            add("a.document = ", filter.document)
        }

        /// Adds the condition `comparison` (an expression and its operator) on `value`, when there is one.
        mutating func add(_ comparison: String, _ value: (any PostgresEncodable)?) {
            guard let value else { return }
            parameters.append(value)
            sql += " AND \(comparison)$\(parameters.count)"
        }
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
    static let gruCountOf = PostgresStatement(
        "SELECT coalesce((SELECT count FROM rm_gru_counts WHERE registro_ans = $1), 0)::bigint")
    static let grusOf = PostgresStatement(
        "SELECT \(gruColumns) FROM rm_grus WHERE registro_ans = $1 ORDER BY issued_on DESC, gru_number DESC LIMIT $2 OFFSET $3")
    static let grusOfOldestFirst = PostgresStatement(
        "SELECT \(gruColumns) FROM rm_grus WHERE registro_ans = $1 ORDER BY issued_on, gru_number LIMIT $2 OFFSET $3")
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
    /// as the projection keeps it in `rm_charges.situation`.
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
    /// The charge of the atendimento row `a` (a table alias): the one it is linked to (`charge_id`),
    /// or, while it is still notificado, the one of the chargeable round whose range holds it
    /// (``roundCharge(of:)``); NULL when not charged.
    static func charge(of a: String) -> String {
        "CASE WHEN \(a).charge_id IS NOT NULL THEN \(a).charge_id WHEN \(a).process_state = 'notificado' THEN (\(roundCharge(of: a))) END"
    }

    /// The charge of the first-round chargeable event (`rm_charge_rounds`, migration 108) whose
    /// range of (document, competência) in the row's notification holds the row `a`: one index
    /// probe (the rounds of a notification do not overlap). Only meaningful for a row still
    /// notificado: the deadlines service releases, in its first round, every atendimento of the
    /// notification still notificado, in (document, competência) order and in consecutive events,
    /// so a notificado row within an event's range is one it released (``Projection/insertRounds``
    /// checks the count).
    static func roundCharge(of a: String) -> String {
        let key = "(\(a).document, \(a).competencia)"
        return lastRound(in: a, startingBy: key, endingFrom: key)
    }

    /// The charge of a recorded round overlapping the range `e` (a row with `rm_charge_rounds`'
    /// columns), if any: only the one starting last by the range's end can (recorded rounds do not
    /// overlap), so one index probe, not a scan of the notification's earlier rounds.
    static func roundOverlapping(_ e: String) -> String {
        lastRound(in: e, startingBy: "(\(e).last_document, \(e).last_competencia)",
                  endingFrom: "(\(e).first_document, \(e).first_competencia)")
    }

    /// The charge of the round of `a`'s notification starting last at or before the key `start`,
    /// if it ends at or after the key `end`.
    private static func lastRound(in a: String, startingBy start: String, endingFrom end: String) -> String {
        """
        SELECT r.charge_id FROM (SELECT charge_id, last_document, last_competencia FROM rm_charge_rounds
            WHERE registro_ans = \(a).registro_ans AND abi = \(a).abi
                AND (first_document, first_competencia) <= \(start)
            ORDER BY first_document DESC, first_competencia DESC LIMIT 1) r
        WHERE (r.last_document, r.last_competencia) >= \(end)
        """
    }

    /// The atendimento rows `a` (a table alias) the round `r` covers (an alias of a row with
    /// `rm_charge_rounds`' columns): its notification's rows within its range of (document,
    /// competência), still notificado and not linked. Laid out as migration 108's text has it (an
    /// applied migration's text must not change).
    static func roundRows(_ a: String, of r: String) -> String {
        let indent = String(repeating: " ", count: 32)
        return """
            \(a).registro_ans = \(r).registro_ans AND \(a).abi = \(r).abi
            \(indent)AND (\(a).document, \(a).competencia) >= (\(r).first_document, \(r).first_competencia)
            \(indent)AND (\(a).document, \(a).competencia) <= (\(r).last_document, \(r).last_competencia)
            \(indent)AND \(a).process_state = 'notificado' AND \(a).charge_id IS NULL
            """
    }

    /// The situation of the atendimento row `a` (a table alias): its process state until charged
    /// (``charge(of:)``), then its charge's situation, kept on the charge alone
    /// (`rm_charges.situation`, migration 107: a GRU's change writes its charges, not their
    /// atendimentos). Until the read model has the charge (its event follows the chargeable one),
    /// the atendimento shows as cobrável (``situationWithoutCharge``). The list counts are kept on
    /// this expression (migration 108): keep them identical. A linked row (every row once its round
    /// is written onto it, ``RoundCompaction``) costs one lookup, of its charge; only a row still
    /// notificado looks its round up (`OFFSET 0` keeps that a value worked out once: inlined, each
    /// use of it ran the lookup again).
    static func situation(of a: String) -> String {
        "CASE WHEN \(a).charge_id IS NOT NULL OR \(a).process_state <> 'notificado' THEN \(situation(ofCharged: a)) "
            + "ELSE (SELECT \(situation(of: a, charge: "k.id", chargeSituation: "(SELECT s.situation FROM rm_charges s WHERE s.charge_id = k.id)")) "
            + "FROM (SELECT (\(roundCharge(of: a))) AS id OFFSET 0) k) END"
    }
    /// The situation of a row `a` whose `charge_id` is its charge, whatever linked it (a row of the
    /// counts triggers, grouped by charge).
    static func situation(ofCharged a: String) -> String {
        situation(of: a, chargeSituation: "(SELECT s.situation FROM rm_charges s WHERE s.charge_id = \(a).charge_id)")
    }
    /// The situation of the row `a` charged by `charge` (an expression, NULL when not charged), with
    /// the charge's situation already at hand (`chargeSituation`, from a join).
    static func situation(of a: String, charge: String? = nil, chargeSituation: String) -> String {
        "CASE WHEN \(charge ?? "\(a).charge_id") IS NULL THEN \(a).process_state "
            + "ELSE COALESCE(\(chargeSituation), '\(situationWithoutCharge)') END"
    }
    /// The situation of an atendimento linked to a charge the read model does not have yet.
    static let situationWithoutCharge = AtendimentoSituation.cobravel.rawValue
    /// The columns of a listed atendimento (`AtendimentoView`), from `a` (atendimentos), `k.id` (its
    /// charge, ``charge(of:)``, worked out once: `OFFSET 0`) and `c` (that charge's row). A charged atendimento still notificado
    /// (charged by its first round, or linked by its charge before the round arrived) has no final
    /// amount of its own: its amount stands (a round holds only unchanged amounts).
    static let situated = """
        SELECT a.document, a.abi, a.kind, NULLIF(a.competencia, '') AS competencia, a.care_start, a.procedure_code, a.amount,
            COALESCE(a.final_amount, CASE WHEN a.process_state = 'notificado' AND k.id IS NOT NULL THEN a.amount END) AS final_amount,
            \(situation(of: "a", charge: "k.id", chargeSituation: "c.situation")) AS situation, c.gru_number, a.note
        """
}
