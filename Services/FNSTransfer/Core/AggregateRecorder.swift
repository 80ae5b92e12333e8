import Foundation
import Models
import Postgres

/// Keeps what the Dados Gerais and the accounting export need from the other services' events.
/// Every write is an upsert on the event's own key, so replays change nothing.
struct AggregateRecorder {
    func record(_ issued: NotificationIssued, on connection: PostgresConnection) throws {
        try record(headers: [issued], on: connection)
    }

    func record(_ batch: NotificationAtendimentos, on connection: PostgresConnection) throws {
        try record(batches: [batch], on: connection)
    }

    func record(_ filed: ImpugnacaoFiled, on connection: PostgresConnection) throws {
        try connection.execute(Self.impugnacao, [
            filed.document.value, filed.filedOn.postgres, filed.competencia?.description ?? "",
        ])
    }

    func record(_ chargeable: AtendimentosChargeable, on connection: PostgresConnection) throws {
        try record(released: [chargeable], on: connection)
    }

    func record(_ charge: ChargeIssued, on connection: PostgresConnection) throws {
        try record(charges: [charge], on: connection)
    }

    func record(_ issued: GRUIssued, on connection: PostgresConnection) throws {
        try record(grus: [issued], on: connection)
    }

    /// Records a GRU entering parcelada, suspensa judicialmente or inscrita em dívida ativa with the
    /// principal open just before (0 after a parcelamento takes it), and keeps the GRU's state.
    func record(_ changed: GRUStateChanged, eventID: UUID, on connection: PostgresConnection) throws {
        try record(states: [(changed, eventID)], on: connection)
    }

    /// The states whose entries the Dados Gerais count.
    static let trackedStates: Set<GRUState> = [.parcelada, .suspensaJudicialmente, .inscritaEmDividaAtiva]

    /// Whether `changed` enters a counted state (a transition row).
    static func countsTransition(_ changed: GRUStateChanged) -> Bool {
        trackedStates.contains(changed.state) && changed.state != changed.previousState
    }

    static let atendimentos = PostgresStatement("""
        INSERT INTO atendimentos (document, amount, competencia)
        SELECT d, a::bigint, c FROM unnest($1::text[], $2::text[], $3::text[]) AS t(d, a, c)
        ON CONFLICT (document, competencia) DO UPDATE SET amount = EXCLUDED.amount
        """)
    /// The competência `value` (text, '' when the event lacks it) of document `document`, or for
    /// events written before they carried it, the document's only known competência (DOMAIN §1).
    static func competencia(_ value: String, of document: String) -> String {
        "COALESCE(NULLIF(\(value), ''), (SELECT competencia FROM atendimentos WHERE document = \(document) "
            + "ORDER BY competencia LIMIT 1), '')"
    }
    static let impugnacao = PostgresStatement("""
        INSERT INTO impugnacoes (document, filed_on, competencia) VALUES ($1, $2, \(competencia("$3::text", of: "$1")))
        ON CONFLICT (document, competencia) DO NOTHING
        """)
}
