import Foundation
import Models
import Postgres

/// GRUs of every operadora (or one), optionally in one state, in number order (read only): what a
/// script needs to pick GRUs to pay, reissue, suspend or parcel.
public struct GRUListing: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var gru: GRUNumber
        public var registroANS: RegistroANS
        public var purpose: GRUPurpose
        public var state: GRUState
        /// Principal as issued and what the GRU asks by its due date.
        public var principal: Money
        public var amount: Money
        public var openPrincipal: Money
        public var dueDate: CivilDate
        public var accrualDate: CivilDate
        public var inCadin: Bool
        public var parcelamentoID: String?
        public var installment: Int?
    }

    public var grus: [Entry]

    public static func read(registroANS: RegistroANS?, state: GRUState?, on connection: PostgresConnection) throws -> GRUListing {
        let rows = try connection.query(select, [registroANS?.value, state?.rawValue])
        return GRUListing(grus: try rows.map { row in
            Entry(gru: try GRUNumber(try row.decode(String.self, at: 0)), registroANS: try RegistroANS(try row.decode(String.self, at: 1)),
                  purpose: GRUPurpose(rawValue: try row.decode(String.self, at: 2)) ?? .charge,
                  state: GRUState(rawValue: try row.decode(String.self, at: 3)) ?? .emitida,
                  principal: try row.money(at: 4), amount: try row.money(at: 5), openPrincipal: try row.money(at: 6),
                  dueDate: try row.civilDate(at: 7), accrualDate: try row.civilDate(at: 8), inCadin: try row.decode(Bool.self, at: 9),
                  parcelamentoID: try row.decode(String?.self, at: 10), installment: try row.decode(Int?.self, at: 11))
        })
    }

    static let select = PostgresStatement("""
        SELECT gru_number, registro_ans, purpose, state, principal, amount, open_principal, due_date, accrual_date, in_cadin,
               parcelamento_id, installment
        FROM grus WHERE ($1::text IS NULL OR registro_ans = $1) AND ($2::text IS NULL OR state = $2)
        ORDER BY gru_number
        """)
}
