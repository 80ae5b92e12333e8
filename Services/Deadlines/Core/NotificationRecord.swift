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
        guard let row = rows.first else { return nil }
        return NotificationRecord(
            abi: abi, registroANS: registroANS, availableOn: try row.optionalCivilDate(at: 0),
            batchCount: try row.decode(Int?.self, at: 1), batchesReceived: try row.decode(Int.self, at: 2),
            cienciaOn: try row.optionalCivilDate(at: 3),
            cienciaKind: try row.decode(String?.self, at: 4).flatMap(CienciaKind.init(rawValue:)),
            windowEnd: try row.optionalCivilDate(at: 5), originalDueDate: try row.optionalCivilDate(at: 6),
            state: try row.decode(String.self, at: 7))
    }

    static let select = PostgresStatement("""
        SELECT available_on, batch_count, batches_received, ciencia_on, ciencia_kind, window_end,
               original_due_date, state
        FROM notifications WHERE abi = $1 AND registro_ans = $2 FOR UPDATE
        """)
}

/// An atendimento's row.
struct AtendimentoRow {
    let document: SUSDocumentNumber
    let abi: ABINumber
    let registroANS: RegistroANS
    let originalAmount: Money
    let state: String

    /// The atendimento, locked for the rest of the transaction; nil when unknown.
    static func load(_ document: SUSDocumentNumber, on connection: PostgresConnection) throws -> AtendimentoRow? {
        let rows = try connection.query(select, [document.value])
        guard let row = rows.first else { return nil }
        return AtendimentoRow(
            document: document, abi: try ABINumber(try row.decode(Int.self, at: 0)),
            registroANS: try RegistroANS(try row.decode(String.self, at: 1)),
            originalAmount: Money(centavos: try row.decode(Int64.self, at: 2)), state: try row.decode(String.self, at: 3))
    }

    static let select = PostgresStatement(
        "SELECT abi, registro_ans, original_amount, state FROM atendimentos WHERE document = $1 FOR UPDATE")
}

/// A decision's row.
struct DecisionRow {
    let instance: DecisionInstance
    let result: DecisionResult
    let amount: Money
    let decidedOn: CivilDate
    let cienciaOn: CivilDate?
    let recursoWindowEnd: CivilDate?

    /// The decisions of `document`, first instance first.
    static func all(of document: SUSDocumentNumber, on connection: PostgresConnection) throws -> [DecisionRow] {
        try connection.query(select, [document.value]).map { row in
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
        FROM decisions WHERE document = $1 ORDER BY instance FOR UPDATE
        """)
}
