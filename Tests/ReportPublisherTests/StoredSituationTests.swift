import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport
import Testing

/// The situation the projection keeps (a charged atendimento's is its charge's, `rm_charges.situation`,
/// read through `ReadModelQueries.situation(of:)`) must always equal the one derived at read time from
/// the charge, the GRU and the parcelamento.
@Suite("Stored atendimento situation", .serialized)
struct StoredSituationTests {
    /// The situation as the portal derived it before it was stored: the reference. An atendimento's
    /// charge is the one it is linked to, else the one of the chargeable event that released it
    /// (`$1` document, `$2` competência, `$3` charge, ``released(by:)``): the read model keeps a
    /// first round's charge once for the round (migration 108), not on each atendimento.
    static let derived = """
        SELECT a.document || '/' || a.competencia,
            CASE
                WHEN COALESCE(a.charge_id, r.charge) IS NULL THEN a.process_state
                WHEN c.charge_id IS NULL THEN 'cobravel'
                WHEN g.state IS NULL THEN 'cobrado_acumulado'
                WHEN g.state IN ('paga', 'paga_com_atraso') THEN 'pago'
                WHEN g.state = 'parcelada' AND p.state = 'quitado' THEN 'pago'
                WHEN g.state = 'parcelada' THEN 'parcelado'
                WHEN g.state = 'suspensa_judicialmente' THEN 'suspenso'
                WHEN g.state = 'inscrita_em_divida_ativa' THEN 'divida_ativa'
                ELSE 'cobrado'
            END
        FROM rm_atendimentos a
        LEFT JOIN unnest($1::text[], $2::text[], $3::text[]) AS r(document, competencia, charge)
            ON r.document = a.document AND r.competencia = a.competencia
        LEFT JOIN rm_charges c ON c.charge_id = COALESCE(a.charge_id, r.charge)
        LEFT JOIN rm_grus g ON g.gru_number = c.gru_number
        LEFT JOIN rm_parcelamentos p ON p.parcelamento_id = g.parcelamento_id
        ORDER BY 1
        """
    static let stored = """
        SELECT a.document || '/' || a.competencia, \(ReadModelQueries.situation(of: "a")) FROM rm_atendimentos a ORDER BY 1
        """

    /// The atendimentos charged by the chargeable events among `events` (document, competência, charge).
    static func released(by events: [EventEnvelope]) throws -> [any PostgresEncodable] {
        var documents: [String] = [], competencias: [String] = [], charges: [String] = []
        for event in events where event.type == AtendimentosChargeable.eventType {
            let e = try event.decode(AtendimentosChargeable.self)
            for a in e.atendimentos where a.isCharged {
                documents.append(a.document.value)
                competencias.append(a.competencia?.description ?? "")
                charges.append(e.chargeID)
            }
        }
        return [documents, competencias, charges]
    }

    static func situations(_ sql: String, _ pool: PostgresPool, _ parameters: [any PostgresEncodable] = []) async throws -> [String] {
        try await pool.withConnection { c in
            try c.query(PostgresStatement(sql), parameters).map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))" }
        }
    }

    /// The scenario's events one by one, in topic order and in two cross-topic orders (a charge or a
    /// GRU before the atendimentos it names), comparing after every event.
    @Test("the stored situation equals the derived one after every event of a cycle, in any topic order")
    func storedEqualsDerived() async throws {
        let scenario = try ReadModelKafkaTests.scenario()
        let more = try Self.laterStates()
        var seen = Set<String>()
        for order in [["operadoras", "notifications", "deadlines", "debts"], ["debts", "deadlines", "notifications", "operadoras"],
                      ["deadlines", "operadoras", "debts", "notifications"]] {
            let events = order.flatMap { kind in scenario.filter { $0.topic == kind }.map(\.envelope) } + more
            try await Fixture.with { fixture in
                for (index, event) in events.enumerated() {
                    try await fixture.apply([event])
                    let derived = try await Self.situations(Self.derived, fixture.pool, try Self.released(by: Array(events[...index])))
                    #expect(try await Self.situations(Self.stored, fixture.pool) == derived, "order \(order), event \(index)")
                    seen.formUnion(derived.map { String($0.split(separator: " ")[1]) })
                }
                // The rounds written onto their rows (RoundCompaction) change no situation.
                let before = try await Self.situations(Self.stored, fixture.pool)
                let written = try await fixture.pool.withConnection { try RoundCompaction.compact(on: $0) }
                // (In topic order the round covers its rows; with the debts first, the charge linked them.)
                #expect(order.first != "operadoras" || written == 2, "order \(order): \(written)")
                #expect(try await Self.situations(Self.stored, fixture.pool) == before, "order \(order), compacted")
                #expect(try await Self.situations(Self.derived, fixture.pool, try Self.released(by: events)) == before)
                #expect(try await fixture.pool.withConnection { try ListCountTests.differences(on: $0) } == [])
            }
        }
        // The cycles pass through the GRU-driven situations, not only the process ones.
        #expect(seen.isSuperset(of: ["notificado", "impugnado", "em_recurso", "anulado", "cobrado_acumulado", "cobrado",
                                     "pago", "parcelado", "suspenso", "divida_ativa"]), "\(seen.sorted())")
    }

    /// The same through the inbox's batch path (`handleBatch`), in batches of every size from 1 to the
    /// whole cycle: a charge and its GRU in one batch are linked with the situation they reach.
    @Test("the stored situation equals the derived one after every batch of a cycle, in any topic order and batch size")
    func storedEqualsDerivedInBatches() async throws {
        let scenario = try ReadModelKafkaTests.scenario()
        let more = try Self.laterStates()
        for order in [["operadoras", "notifications", "deadlines", "debts"], ["debts", "deadlines", "notifications", "operadoras"]] {
            let events = order.flatMap { kind in scenario.filter { $0.topic == kind }.map(\.envelope) } + more
            for size in 1...events.count {
                try await Fixture.with { fixture in
                    for start in stride(from: 0, to: events.count, by: size) {
                        let batch = Array(events[start..<min(start + size, events.count)])
                        try await fixture.pool.withTransaction { c in
                            try ReadModelHandler().handleBatch(
                                batch, context: HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date()))
                        }
                        let released = try Self.released(by: Array(events[..<min(start + size, events.count)]))
                        #expect(try await Self.situations(Self.stored, fixture.pool)
                                    == (try await Self.situations(Self.derived, fixture.pool, released)), "order \(order), size \(size), at \(start)")
                    }
                }
            }
        }
    }

    /// After the scenario's payment: the GRU in a parcelamento (parcelado, then quitado: pago), suspended
    /// by a court, then inscribed in dívida ativa. (Not a lawful sequence; it visits every GRU situation.)
    static func laterStates() throws -> [EventEnvelope] {
        let gru = Events.gruNumber(501)
        let registro = ReadModelKafkaTests.registro
        func parcelamento(_ state: ParcelamentoState, on date: String) throws -> EventEnvelope {
            try Events.envelope(ParcelamentoChanged(
                parcelamentoID: "parc-1", registroANS: try RegistroANS(registro), state: state, effectiveOn: Events.date(date),
                gruNumbers: [gru], consolidated: Events.money("1000,00"), installmentCount: 2,
                installmentBase: Events.money("500,00"), concessionDate: Events.date("2026-05-20"),
                paidInstallments: state == .quitado ? 2 : 0, missedInstallments: 0,
                unpaidBalance: state == .quitado ? .zero : Events.money("1000,00")))
        }
        return [
            try parcelamento(.deferido, on: "2026-05-20"),
            try Events.envelope(GRUStateChanged(
                gruNumber: gru, registroANS: try RegistroANS(registro), previousState: .pagaComAtraso, state: .parcelada,
                effectiveOn: Events.date("2026-05-20"), principal: Events.money("1000,00"), openPrincipal: Events.money("1000,00"),
                paidTotal: Events.money("1050,00"), credit: .zero, accrualDate: Events.date("2026-02-24"),
                reason: "parcelamento", parcelamentoID: "parc-1")),
            try parcelamento(.quitado, on: "2026-05-30"),
            try Events.stateChanged(gru, registro: registro, from: .parcelada, to: .suspensaJudicialmente, on: "2026-06-01",
                                    principal: "1000,00", open: "0,00", paid: "1050,00", accrualDate: "2026-02-24",
                                    reason: "suspensão judicial"),
            try Events.stateChanged(gru, registro: registro, from: .suspensaJudicialmente, to: .inscritaEmDividaAtiva,
                                    on: "2026-07-01", principal: "1000,00", open: "0,00", paid: "1050,00",
                                    accrualDate: "2026-02-24", reason: "inscrição em dívida ativa"),
        ]
    }

    @Test("the situation filter reads the stored situation")
    func filterUsesStoredSituation() async throws {
        try await Fixture.with { fixture in
            try await fixture.apply(try ReadModelKafkaTests.scenario().map(\.envelope))
            try await fixture.pool.withConnection { c in
                let paid = try ReadModelQueries.atendimentos(
                    of: ReadModelKafkaTests.registro, filter: AtendimentoFilter(situation: .pago), limit: 10, offset: 0, on: c)
                #expect(paid.total == 2)
                #expect(paid.rows.map(\.document) == [ReadModelKafkaTests.documents[0], ReadModelKafkaTests.documents[3]])
                // A stale kept value shows: the page reads the charge's situation, not the GRU.
                _ = try c.execute("UPDATE rm_charges SET situation = 'cobrado'")
                let after = try ReadModelQueries.atendimentos(
                    of: ReadModelKafkaTests.registro, filter: AtendimentoFilter(situation: .pago), limit: 10, offset: 0, on: c)
                #expect(after.total == 0)
            }
        }
    }
}
