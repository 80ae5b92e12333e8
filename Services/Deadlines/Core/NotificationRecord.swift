import Foundation
import Models
import Postgres

/// A notification's row in the deadlines schema.
struct NotificationRecord {
    let abi: ABINumber
    let registroANS: RegistroANS
    let availableOn: CivilDate?
    let batchCount: Int?
    let batchesReceived: Int
    let cienciaOn: CivilDate?
    let cienciaKind: CienciaKind?
    let windowEnd: CivilDate?
    let originalDueDate: CivilDate?
    let state: String

    var key: String { DeadlineWork.notificationKey(abi: abi.value, registro: registroANS.value) }
    /// All `batchCount` batches arrived (and the header too).
    var isComplete: Bool { batchCount.map { batchesReceived >= $0 } ?? false }

    /// The notification, locked for the rest of the transaction; nil when unknown.
    static func load(abi: ABINumber, registroANS: RegistroANS, on connection: PostgresConnection) throws -> NotificationRecord? {
        let rows = try connection.query(select, [abi.value, registroANS.value])
        return try rows.first.map { try NotificationRecord(abi: abi, registroANS: registroANS, row: $0, from: 0) }
    }

    /// The known notifications of `references`, locked for the rest of the transaction (in key
    /// order, like any other batch), by ``key``.
    static func loadAll(_ references: [NotificationReference], on connection: PostgresConnection) throws -> [String: NotificationRecord] {
        guard !references.isEmpty else { return [:] }
        let rows = try connection.query(selectMany, [
            references.map { String($0.abi.value) }, references.map(\.registroANS.value)])
        var records: [String: NotificationRecord] = [:]
        for row in rows {
            let record = try NotificationRecord(
                abi: try ABINumber(try row.decode(Int.self, at: 0)), registroANS: try RegistroANS(try row.decode(String.self, at: 1)),
                row: row, from: 2)
            records[record.key] = record
        }
        return records
    }

    static let columns = """
        available_on, batch_count, batches_received, ciencia_on, ciencia_kind, window_end, original_due_date, state
        """

    static let select = PostgresStatement("""
        SELECT \(columns) FROM notifications WHERE abi = $1 AND registro_ans = $2 FOR UPDATE
        """)

    static let selectMany = PostgresStatement("""
        SELECT n.abi, n.registro_ans, \(columns.split(separator: ", ").map { "n.\($0)" }.joined(separator: ", "))
        FROM notifications n
        JOIN unnest($1::text[]::integer[], $2::text[]) AS k(abi, registro) ON n.abi = k.abi AND n.registro_ans = k.registro
        ORDER BY n.abi, n.registro_ans
        FOR UPDATE OF n
        """)
}

extension NotificationRecord {
    /// Decodes the `columns` of a row, starting at `first`.
    fileprivate init(abi: ABINumber, registroANS: RegistroANS, row: PostgresRow, from first: Int) throws {
        self.init(
            abi: abi, registroANS: registroANS, availableOn: try row.optionalCivilDate(at: first),
            batchCount: try row.decode(Int?.self, at: first + 1), batchesReceived: try row.decode(Int.self, at: first + 2),
            cienciaOn: try row.optionalCivilDate(at: first + 3),
            cienciaKind: try row.decode(String?.self, at: first + 4).flatMap(CienciaKind.init(rawValue:)),
            windowEnd: try row.optionalCivilDate(at: first + 5), originalDueDate: try row.optionalCivilDate(at: first + 6),
            state: try row.decode(String.self, at: first + 7))
    }
}

/// Identifies an atendimento in the deadlines schema: its notification, SUS document number and
/// competência. An APAC number repeats for every competência it covers, so the document alone is not
/// enough (DOMAIN §1); an AIH has one competência per document.
struct AtendimentoKey: Codable, Hashable {
    let abi: ABINumber
    let registroANS: RegistroANS
    let document: SUSDocumentNumber
    let competencia: YearMonth

    /// Key text for scheduled work (`abi/registro/document/competência`).
    var workKey: String { "\(abi.value)/\(registroANS.value)/\(document.value)/\(competencia)" }
    /// The statement parameters `$1...$4` every keyed statement below takes.
    var parameters: [any PostgresEncodable] { [abi.value, registroANS.value, document.value, competencia.description] }
}

/// An atendimento's row.
struct AtendimentoRow {
    let key: AtendimentoKey
    /// `AIH` or `APAC`.
    let kind: String
    let originalAmount: Money
    let state: String

    var document: SUSDocumentNumber { key.document }
    var abi: ABINumber { key.abi }
    var registroANS: RegistroANS { key.registroANS }

    /// What a request naming a document (and optionally its competência and notification) designates.
    enum Resolution {
        case found(AtendimentoRow)
        case notFound
        /// More than one atendimento matches: an APAC with several competências (or the document in
        /// several notifications); the request must name the competência.
        case ambiguous([AtendimentoRow])
    }

    /// The atendimentos matching `document` and whichever of competência and notification are given,
    /// locked for the rest of the transaction.
    static func resolve(_ document: SUSDocumentNumber, competencia: YearMonth?, abi: ABINumber? = nil,
                        registroANS: RegistroANS? = nil, on connection: PostgresConnection) throws -> Resolution {
        let rows = try connection.query(select, [document.value, competencia?.description, abi?.value, registroANS?.value])
            .map { row in
                AtendimentoRow(
                    key: AtendimentoKey(
                        abi: try ABINumber(try row.decode(Int.self, at: 0)),
                        registroANS: try RegistroANS(try row.decode(String.self, at: 1)), document: document,
                        competencia: try YearMonth(parsing: try row.decode(String.self, at: 2))),
                    kind: try row.decode(String.self, at: 5),
                    originalAmount: Money(centavos: try row.decode(Int64.self, at: 3)), state: try row.decode(String.self, at: 4))
            }
        switch rows.count {
        case 0: return .notFound
        case 1: return .found(rows[0])
        default: return .ambiguous(rows)
        }
    }

    static let select = PostgresStatement("""
        SELECT abi, registro_ans, competencia, original_amount, state, kind FROM atendimentos
        WHERE document = $1 AND ($2::text IS NULL OR competencia = $2) AND ($3::integer IS NULL OR abi = $3)
            AND ($4::text IS NULL OR registro_ans = $4)
        ORDER BY abi, registro_ans, competencia FOR UPDATE
        """)
}

extension AtendimentoRow.Resolution {
    /// The Portuguese refusal for an ambiguous or unknown atendimento, nil when one was found.
    func refusal(_ document: SUSDocumentNumber, notFound: String) -> String? {
        switch self {
        case .found: return nil
        case .notFound: return notFound
        case .ambiguous(let rows):
            let which = rows.map { row in
                rows.allSatisfy({ $0.abi == row.abi && $0.registroANS == row.registroANS })
                    ? row.key.competencia.description
                    : "\(row.key.competencia) (\(row.abi), operadora \(row.registroANS))"
            }
            return "o documento \(document) é ambíguo: corresponde a \(rows.count) atendimentos (competências "
                + "\(which.joined(separator: ", "))); informe a competência com --competencia AAAA-MM"
        }
    }
}

/// A decision's row.
struct DecisionRow {
    let instance: DecisionInstance
    let result: DecisionResult
    let amount: Money
    let decidedOn: CivilDate
    let cienciaOn: CivilDate?
    let recursoWindowEnd: CivilDate?

    /// The decisions on the atendimento `key`, first instance first.
    static func all(of key: AtendimentoKey, on connection: PostgresConnection) throws -> [DecisionRow] {
        try connection.query(select, key.parameters).map { row in
            DecisionRow(
                instance: DecisionInstance(rawValue: try row.decode(Int.self, at: 0)) ?? .impugnacao,
                result: DecisionResult(rawValue: try row.decode(String.self, at: 1)) ?? .indeferida,
                amount: Money(centavos: try row.decode(Int64.self, at: 2)),
                decidedOn: try row.civilDate(at: 3), cienciaOn: try row.optionalCivilDate(at: 4),
                recursoWindowEnd: try row.optionalCivilDate(at: 5))
        }
    }

    static let select = PostgresStatement("""
        SELECT instance, result, amount, decided_on, ciencia_on, recurso_window_end
        FROM decisions WHERE abi = $1 AND registro_ans = $2 AND document = $3 AND competencia = $4
        ORDER BY instance FOR UPDATE
        """)
}
