import Foundation
import Models
import Postgres

/// The parcelamentos of an operadora with their installments (read only).
public struct ParcelamentoListing: Codable, Sendable {
    public struct Plan: Codable, Sendable {
        public var parcelamentoID: String
        public var state: ParcelamentoState
        public var gruNumbers: [String]
        public var consolidated: Money
        public var installmentCount: Int
        public var installmentBase: Money
        public var concessionDate: CivilDate
        public var installments: [InstallmentRow]
    }

    public struct InstallmentRow: Codable, Sendable {
        public var number: Int
        public var dueDate: CivilDate
        public var base: Money
        public var gruNumber: String?
        /// prevista, emitida, paga or cancelada.
        public var status: String
        public var missed: Bool
        public var paidOn: CivilDate?
        public var paidAmount: Money?
    }

    public var registroANS: RegistroANS
    public var plans: [Plan]

    public static func read(registroANS: RegistroANS, on connection: PostgresConnection) throws -> ParcelamentoListing {
        var plans: [Plan] = []
        for row in try connection.query(selectPlans, [registroANS.value]) {
            plans.append(Plan(
                parcelamentoID: try row.decode(String.self, at: 0),
                state: ParcelamentoState(rawValue: try row.decode(String.self, at: 1)) ?? .solicitado,
                gruNumbers: try row.decode([String].self, at: 2), consolidated: try row.money(at: 3),
                installmentCount: try row.decode(Int.self, at: 4), installmentBase: try row.money(at: 5),
                concessionDate: try row.civilDate(at: 6), installments: []))
        }
        for index in plans.indices {
            plans[index].installments = try connection.query(selectInstallments, [plans[index].parcelamentoID]).map { row in
                InstallmentRow(
                    number: try row.decode(Int.self, at: 0), dueDate: try row.civilDate(at: 1), base: try row.money(at: 2),
                    gruNumber: try row.decode(String?.self, at: 3), status: try row.decode(String.self, at: 4),
                    missed: try row.decode(Bool.self, at: 5),
                    paidOn: try row.decode(PostgresDate?.self, at: 6).map { try CivilDate($0) },
                    paidAmount: try row.decode(Int64?.self, at: 7).map { Money(centavos: $0) })
            }
        }
        return ParcelamentoListing(registroANS: registroANS, plans: plans)
    }

    static let selectPlans = PostgresStatement("""
        SELECT parcelamento_id, state, gru_numbers, consolidated, installment_count, installment_base, concession_date
        FROM parcelamentos WHERE registro_ans = $1 ORDER BY requested_at, parcelamento_id
        """)
    static let selectInstallments = PostgresStatement("""
        SELECT number, due_date, base, gru_number, status, missed, paid_on, paid_amount
        FROM installments WHERE parcelamento_id = $1 ORDER BY number
        """)
}
