import DebtCalculatorCore
import Foundation
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// A private debt schema (runtime + debt migrations) on the shared PostgreSQL, a simulated clock and a
/// scheduler worker firing the debt calculator's scheduled work on it; handlers are called directly
/// (see `ServiceFixture`).
struct DebtFixture: ServiceFixture {
    typealias Request = DebtRequest
    let bed: ServiceTestBed
    let handler: DebtEventHandler
    static let outputTopic = "debt-test-output"

    static func make(startingOn start: CivilDate, settings adjust: (inout DebtSettings) -> Void = { _ in })
        async throws -> DebtFixture {
        var settings = DebtSettings(outputTopic: outputTopic)
        adjust(&settings)
        let bed = try await ServiceTestBed.make(
            name: "debt", migrations: DebtMigrations.all, handlers: DebtCalculatorCore.scheduledHandlers(settings: settings),
            startingOn: start, logger: quietLogger)
        return DebtFixture(bed: bed, handler: DebtEventHandler(settings: settings))
    }

    /// Runs `body` with a fresh fixture, checks the events it wrote against docs/schemas
    /// (``checkOutboxSchemas()``) and drops its schema afterwards.
    static func with(startingOn start: CivilDate, settings adjust: (inout DebtSettings) -> Void = { _ in },
                     _ body: (DebtFixture) async throws -> Void) async throws {
        try await make(startingOn: start, settings: adjust).run { fixture in
            try await body(fixture)
            try await fixture.checkOutboxSchemas()
        }
    }

    /// Submits an operator request with a bank-return file's rows (as the CLI does), lets the
    /// scheduler fire it and returns the outcome.
    func request(_ request: DebtRequest, payments: [(row: Int, payment: IncomingPayment)]) async throws -> RequestOutcome {
        try await decide { try DebtRequests.submit(request, payments: payments, on: $0) }
    }

    /// A payment through the upstream topic's event, applied by the handler.
    func pay(_ gru: String, _ amount: String, on date: String, id: String? = nil) async throws {
        try await apply(PaymentReceived(paymentID: id ?? "P-\(gru)-\(date)-\(amount)", gruNumber: gru,
                                        amount: Sample.money(amount), paidOn: Sample.date(date), origin: "teste"))
    }

    func outboxCount() async throws -> Int {
        try await pool.withConnection { try $0.query("SELECT count(*) FROM outbox")[0].decode(Int.self, at: 0) }
    }

    func state(of gru: String) async throws -> String? {
        try await scalar("SELECT state FROM grus WHERE gru_number = $1", [gru])
    }

    func position(_ registro: String, asOf date: String) async throws -> DebtPosition {
        try await pool.withConnection {
            try DebtPosition.compute(registroANS: Sample.registro(registro), asOf: Sample.date(date), on: $0)
        }
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "ressus.debt-tests")
    logger.logLevel = .warning
    return logger
}

/// Test data.
enum Sample {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func abi(_ number: Int) -> ABINumber { try! ABINumber(number) }
    static func registro(_ text: String) -> RegistroANS { try! RegistroANS(text) }
    static func money(_ text: String) -> Money { try! Money(parsing: text) }
    static func gru(_ sequence: Int64) -> String { try! GRUNumber(prefix: RulesPolicy.standard.gruIssuerPrefix, sequence: sequence).value }

    /// A document number `prefix` padded to 13 digits with `n`.
    static func document(_ n: Int, prefix: String = "41") -> SUSDocumentNumber {
        let digits = String(n)
        return try! SUSDocumentNumber(prefix + String(repeating: "0", count: 13 - prefix.count - digits.count) + digits)
    }

    /// The competência of the atendimentos `chargeable` releases.
    static let chargedCompetencia = try! YearMonth(parsing: "2025-10")

    /// `AtendimentosChargeable` for `registro` with atendimentos of the given final amounts (0 = annulled).
    static func chargeable(abi: Int = 7, registro: String, firstDocument: Int, amounts: [String],
                           originalDue: String = "2026-03-16", paymentDue: String? = nil,
                           chargeableOn: String = "2026-03-02") -> AtendimentosChargeable {
        let atendimentos = amounts.enumerated().map { index, text in
            let amount = money(text)
            return ChargeableAtendimento(
                document: document(firstDocument + index), competencia: chargedCompetencia, outcome: amount == .zero ? .deferida : .notImpugned,
                originalAmount: amount == .zero ? money("123,45") : amount, finalAmount: amount)
        }
        return AtendimentosChargeable(
            abi: Self.abi(abi), registroANS: Self.registro(registro), atendimentos: atendimentos,
            originalDueDate: date(originalDue), paymentDueDate: date(paymentDue ?? originalDue),
            chargeableOn: date(chargeableOn))
    }
}
