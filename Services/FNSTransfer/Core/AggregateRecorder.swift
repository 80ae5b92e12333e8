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
        let previousOpen = try connection.query(Self.openPrincipal, [changed.gruNumber.value]).first?.decode(Int64.self, at: 0)
        if Self.countsTransition(changed) {
            let amount = previousOpen ?? max(changed.openPrincipal.centavos, 0)
            try connection.execute(Self.transition, [
                eventID, changed.gruNumber.value, changed.state.rawValue, changed.effectiveOn.postgres, amount,
            ])
        }
        try connection.execute(Self.updateGRU, [
            changed.gruNumber.value, changed.registroANS.value, changed.principal.centavos,
            changed.openPrincipal.centavos, changed.state.rawValue,
        ])
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
    static let openPrincipal = PostgresStatement("SELECT open_principal FROM grus WHERE gru_number = $1")
    static let transition = PostgresStatement("""
        INSERT INTO gru_transitions (event_id, gru_number, state, effective_on, amount) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (gru_number, state, effective_on) DO NOTHING
        """)
    static let updateGRU = PostgresStatement("""
        INSERT INTO grus (gru_number, registro_ans, purpose, principal, open_principal, state)
        VALUES ($1, $2, 'cobranca', $3, $4, $5)
        ON CONFLICT (gru_number) DO UPDATE SET open_principal = EXCLUDED.open_principal, state = EXCLUDED.state
        """)
}
