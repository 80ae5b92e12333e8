import Foundation
import Models
import Postgres

/// Keeps what the Dados Gerais and the accounting export need from the other services' events.
/// Every write is an upsert on the event's own key, so replays change nothing.
struct AggregateRecorder {
    func record(_ issued: NotificationIssued, on connection: PostgresConnection) throws {
        try connection.execute(Self.notification, [
            issued.abi.value, issued.registroANS.value, issued.availableOn.postgres, issued.atendimentoCount,
            issued.totalToReimburse.centavos,
        ])
    }

    func record(_ batch: NotificationAtendimentos, on connection: PostgresConnection) throws {
        guard !batch.atendimentos.isEmpty else { return }
        try connection.execute(Self.atendimentos, [
            batch.atendimentos.map(\.document.value), batch.atendimentos.map { String($0.amountToReimburse.centavos) },
            batch.atendimentos.map(\.competencia.description),
        ])
    }

    func record(_ filed: ImpugnacaoFiled, on connection: PostgresConnection) throws {
        try connection.execute(Self.impugnacao, [
            filed.document.value, filed.filedOn.postgres, filed.competencia?.description ?? "",
        ])
    }

    func record(_ chargeable: AtendimentosChargeable, on connection: PostgresConnection) throws {
        guard !chargeable.atendimentos.isEmpty else { return }
        let items = chargeable.atendimentos
        try connection.execute(Self.released, [
            items.map(\.document.value), items.map(\.outcome.rawValue), items.map { String($0.originalAmount.centavos) },
            items.map { String($0.finalAmount.centavos) }, chargeable.chargeableOn.postgres,
            items.map { $0.competencia?.description ?? "" },
        ])
    }

    func record(_ charge: ChargeIssued, on connection: PostgresConnection) throws {
        try connection.execute(Self.charge, [
            charge.chargeID, charge.registroANS.value, charge.abi.value, charge.issuedOn.postgres,
            charge.atendimentos.count, charge.total.centavos,
        ])
    }

    func record(_ issued: GRUIssued, on connection: PostgresConnection) throws {
        try connection.execute(Self.gru, [
            issued.gruNumber.value, issued.registroANS.value, issued.purpose.rawValue, issued.principal.centavos,
            issued.parcelamentoID,
        ])
    }

    /// Records a GRU entering parcelada, suspensa judicialmente or inscrita em dívida ativa with the
    /// principal open just before (0 after a parcelamento takes it), and keeps the GRU's state.
    func record(_ changed: GRUStateChanged, eventID: UUID, on connection: PostgresConnection) throws {
        let previousOpen = try connection.query(Self.openPrincipal, [changed.gruNumber.value]).first?.decode(Int64.self, at: 0)
        if Self.trackedStates.contains(changed.state), changed.state != changed.previousState {
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

    static let notification = PostgresStatement("""
        INSERT INTO notifications (abi, registro_ans, available_on, atendimento_count, total) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (abi, registro_ans) DO UPDATE SET available_on = EXCLUDED.available_on,
            atendimento_count = EXCLUDED.atendimento_count, total = EXCLUDED.total
        """)
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
    static let released = PostgresStatement("""
        INSERT INTO released_atendimentos (document, outcome, original_amount, final_amount, released_on, competencia)
        SELECT d, o, a::bigint, f::bigint, $5, \(competencia("c", of: "d"))
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[]) AS t(d, o, a, f, c)
        ON CONFLICT (document, competencia) DO UPDATE SET outcome = EXCLUDED.outcome, original_amount = EXCLUDED.original_amount,
            final_amount = EXCLUDED.final_amount, released_on = EXCLUDED.released_on
        """)
    static let charge = PostgresStatement("""
        INSERT INTO charges (charge_id, registro_ans, abi, issued_on, atendimento_count, total)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (charge_id) DO NOTHING
        """)
    static let gru = PostgresStatement("""
        INSERT INTO grus (gru_number, registro_ans, purpose, principal, open_principal, state, parcelamento_id)
        VALUES ($1, $2, $3, $4, $4, 'emitida', $5) ON CONFLICT (gru_number) DO NOTHING
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
