import Foundation
import Models
import Postgres
@testable import ReportPublisherCore
import Runtime
import TestSupport

/// A report-publisher schema of its own on the shared PostgreSQL, with helpers to make events and
/// apply them through the read-model handler.
struct Fixture {
    let pool: PostgresPool
    let schema: String

    static func with<T>(_ body: (Fixture) async throws -> T) async throws -> T {
        try await TemporarySchema.with(
            prefix: "rp_test", applicationName: "report-publisher-tests",
            migrations: try RuntimeMigrations.with(service: ReportPublisherMigrations.all)
        ) { pool, schema in
            try await body(Fixture(pool: pool, schema: schema))
        }
    }

    /// Applies `events` in order through ``ReadModelHandler`` (one transaction).
    func apply(_ envelopes: [EventEnvelope]) async throws {
        try await pool.withTransaction { c in
            let context = HandlerContext(connection: c, outbox: OutboxWriter(connection: c), now: Date())
            for envelope in envelopes { try ReadModelHandler().handle(envelope, context: context) }
        }
    }
}

/// Builders of the events the other services publish.
enum Events {
    static func envelope<E: DomainEvent>(_ event: E) throws -> EventEnvelope {
        try EventEnvelope.wrapping(event, source: "tests", time: Date())
    }

    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func money(_ reais: String) -> Money { try! Money(parsing: reais) }

    /// A random valid CNPJ whose root is `root` (8 characters).
    static func cnpj(root: String) -> CNPJ {
        let base = root + "0001"
        return try! CNPJ(base + (try! CNPJ.checkDigits(for: base)))
    }

    static func randomDigits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9))) })
    }

    static func operadora(registro: String, root: String, name: String) throws -> EventEnvelope {
        try envelope(OperadoraRegistered(registroANS: try RegistroANS(registro), cnpj: cnpj(root: root),
                                         razaoSocial: name, email: "contato@\(registro).example"))
    }

    static func gruNumber(_ sequence: Int64) -> GRUNumber { try! GRUNumber(prefix: "2503400", sequence: sequence) }

    static func gruIssued(_ number: GRUNumber, registro: String, abi: Int = 90, principal: String, issuedOn: String,
                          dueDate: String, accrualDate: String? = nil, chargeIDs: [String] = []) throws -> EventEnvelope {
        let amount = money(principal)
        return try envelope(GRUIssued(
            gruNumber: number, registroANS: try RegistroANS(registro), purpose: .charge, chargeIDs: chargeIDs,
            abis: [try ABINumber(abi)], principal: amount, multa: .zero, juros: .zero, amount: amount,
            issuedOn: date(issuedOn), dueDate: date(dueDate), accrualDate: date(accrualDate ?? dueDate),
            linhaDigitavel: "89610000000-0 00000000000-0 00000000000-0 00000000000-0"))
    }

    static func stateChanged(_ number: GRUNumber, registro: String, from: GRUState, to: GRUState, on: String,
                             principal: String, open: String, paid: String, accrualDate: String,
                             reason: String) throws -> EventEnvelope {
        try envelope(GRUStateChanged(
            gruNumber: number, registroANS: try RegistroANS(registro), previousState: from, state: to,
            effectiveOn: date(on), principal: money(principal), openPrincipal: money(open), paidTotal: money(paid),
            credit: .zero, accrualDate: date(accrualDate), reason: reason))
    }

    static func atendimento(_ document: String, amount: String, kind: AtendimentoRecord.Kind = .aih) -> AtendimentoRecord {
        AtendimentoRecord(
            kind: kind, document: try! SUSDocumentNumber(document), competencia: try! YearMonth(parsing: "2025-06"),
            beneficiaryCode: "B1", birthDate: date("1980-01-01"), careStart: date("2025-06-10"), careEnd: date("2025-06-12"),
            cnes: try! CNES("1234567"), procedure: try! SIGTAPCode("0301010072"), quantity: 1,
            susValue: money(amount), amountToReimburse: money(amount))
    }
}

/// Reference arithmetic for the tests, written from DOMAIN §5 (not the code under test): multa
/// 0.33% a day capped at 20%, juros = sum of SELIC months (month after the due month through the
/// month before P) + 1% when P's month is after the due month; each rounded half-up to the centavo.
enum Hand {
    /// SELIC rates (basis points) of shared/data/selic-monthly.csv used by the tests.
    static let selic: [String: Int64] = [
        "2025-05": 114, "2025-06": 110, "2025-07": 128, "2025-08": 116, "2025-09": 122, "2025-10": 128, "2025-11": 105,
        "2025-12": 122, "2026-01": 116, "2026-02": 100, "2026-03": 121,
    ]

    struct Result: Equatable {
        var multa: Int64
        var juros: Int64
        var total: Int64
    }

    /// Due and P in the same year range 2025-2026 (SELIC regime only); `missing` months count 0.
    static func charges(principal: Int64, due: CivilDate, asOf p: CivilDate, rates: [String: Int64] = selic) -> Result {
        let days = p.dayNumber - due.dayNumber
        guard days > 0 else { return Result(multa: 0, juros: 0, total: principal) }
        let multaBP = min(33 * Int64(days), 2000)
        var jurosBP: Int64 = 0
        var month = due.yearMonth.next
        while month < p.yearMonth {
            jurosBP += rates[month.description] ?? 0
            month = month.next
        }
        if p.yearMonth > due.yearMonth { jurosBP += 100 }
        func apply(_ bp: Int64) -> Int64 { (principal * bp + 5_000) / 10_000 }  // half-up, positive amounts
        let multa = apply(multaBP), juros = apply(jurosBP)
        return Result(multa: multa, juros: juros, total: principal + multa + juros)
    }

    /// "R$ 1.234,56" for centavos, written independently of Money.formatted.
    static func brl(_ centavos: Int64) -> String {
        var whole = String(centavos / 100)
        var groups: [String] = []
        while whole.count > 3 {
            groups.insert(String(whole.suffix(3)), at: 0)
            whole.removeLast(3)
        }
        groups.insert(whole, at: 0)
        let cents = centavos % 100
        return "R$ " + groups.joined(separator: ".") + "," + (cents < 10 ? "0" : "") + String(cents)
    }
}
