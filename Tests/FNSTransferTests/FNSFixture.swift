import FNSTransferCore
import Foundation
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// A private FNS schema (runtime + FNS migrations) on the shared PostgreSQL, a simulated clock and a
/// scheduler worker firing the FNS service's scheduled work on it (see `ServiceFixture`).
struct FNSFixture: ServiceFixture {
    typealias Request = FNSRequest
    let bed: ServiceTestBed
    let handler: FNSEventHandler
    let settings: FNSSettings

    static func make(startingOn start: CivilDate, outputTopic: String = "fns-test-output") async throws -> FNSFixture {
        let settings = FNSSettings(outputTopic: outputTopic, source: "/fns-tests")
        let bed = try await ServiceTestBed.make(
            name: "fns", migrations: FNSMigrations.all, handlers: FNSTransferCore.scheduledHandlers(settings: settings),
            startingOn: start, poolSize: 3, logger: quietLogger)
        return FNSFixture(bed: bed, handler: FNSEventHandler(settings: settings), settings: settings)
    }

    /// Runs `body` with a fresh fixture and drops its schema afterwards.
    static func with(startingOn start: CivilDate, _ body: (FNSFixture) async throws -> Void) async throws {
        try await make(startingOn: start).run(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await pool.withConnection(body)
    }
}

/// Test data: the debt calculator's, deadlines' and intake's events as they would arrive.
enum Sample {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func month(_ text: String) -> YearMonth { try! YearMonth(parsing: text) }
    static func registro(_ text: String = "123456") -> RegistroANS { try! RegistroANS(text) }
    static func gru(_ sequence: Int64) -> GRUNumber { try! GRUNumber(prefix: "0000001", sequence: sequence) }
    static func document(_ n: Int) -> SUSDocumentNumber {
        let digits = String(n)
        return try! SUSDocumentNumber("35" + String(repeating: "0", count: 11 - digits.count) + digits)
    }

    static func settled(_ id: String, gru: Int64 = 1, paidOn: String, principal: Int64, multa: Int64 = 0, juros: Int64 = 0,
                        registro: String = "123456") -> PaymentSettled {
        PaymentSettled(paymentID: id, gruNumber: Self.gru(gru), registroANS: Self.registro(registro), paidOn: date(paidOn),
                       principal: Money(centavos: principal), multa: Money(centavos: multa), juros: Money(centavos: juros),
                       total: Money(centavos: principal + multa + juros))
    }

    static func gruIssued(_ sequence: Int64, purpose: GRUPurpose = .charge, principal: Int64, issuedOn: String,
                          parcelamento: String? = nil, registro: String = "123456") -> GRUIssued {
        GRUIssued(gruNumber: gru(sequence), registroANS: Self.registro(registro), purpose: purpose, chargeIDs: ["c\(sequence)"],
                  abis: [try! ABINumber(1)], principal: Money(centavos: principal), multa: .zero, juros: .zero,
                  amount: Money(centavos: principal), issuedOn: date(issuedOn), dueDate: date(issuedOn).adding(days: 15),
                  accrualDate: date(issuedOn).adding(days: 15), parcelamentoID: parcelamento ?? (purpose == .installment ? "p1" : nil),
                  installment: purpose == .installment ? 1 : nil, linhaDigitavel: "0")
    }

    static func stateChanged(_ sequence: Int64, from previous: GRUState, to state: GRUState, on: String, principal: Int64,
                             openAfter: Int64, registro: String = "123456") -> GRUStateChanged {
        GRUStateChanged(gruNumber: gru(sequence), registroANS: Self.registro(registro), previousState: previous, state: state,
                        effectiveOn: date(on), principal: Money(centavos: principal), openPrincipal: Money(centavos: openAfter),
                        paidTotal: .zero, credit: .zero, accrualDate: date(on), reason: "teste")
    }

    static func charge(_ id: String, atendimentos: [(Int, Int64)], issuedOn: String, gru: Int64?,
                       registro: String = "123456") -> ChargeIssued {
        let items = atendimentos.map { ChargedAtendimento(document: document($0.0), competencia: month("2025-06"), amount: Money(centavos: $0.1)) }
        return ChargeIssued(chargeID: id, abi: try! ABINumber(1), registroANS: Self.registro(registro), atendimentos: items,
                            total: Money.sum(items.map(\.amount)), gruNumber: gru.map(Self.gru),
                            accumulatedSmallCharges: .zero, issuedOn: date(issuedOn))
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "fns-tests")
    logger.logLevel = .critical
    return logger
}
