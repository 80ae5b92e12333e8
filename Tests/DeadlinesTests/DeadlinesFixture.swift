import DeadlinesCore
import Foundation
import Kafka
import Logging
import Models
import Postgres
import Runtime
import TestSupport
import Testing

/// A private deadlines schema (runtime + deadlines migrations) on the shared PostgreSQL, a simulated
/// clock and a scheduler worker firing the deadlines' scheduled work on it (see `ServiceFixture`).
struct DeadlinesFixture: ServiceFixture {
    typealias Request = OperatorRequest
    let bed: ServiceTestBed
    let handler: NotificationIntakeHandler
    let settings: DeadlinesSettings
    static let outputTopic = "deadlines-test-output"

    static func databaseURL() throws -> String { try TestEnvironment.databaseURL() }
    static func brokers() throws -> String { try TestEnvironment.kafkaBrokers() }

    static func make(startingOn start: CivilDate, outputTopic: String = outputTopic, releaseBatchSize: Int = 500,
                     schedulerPolicy: SchedulerPolicy = SchedulerPolicy()) async throws -> DeadlinesFixture {
        let settings = DeadlinesSettings(outputTopic: outputTopic, releaseBatchSize: releaseBatchSize)
        let bed = try await ServiceTestBed.make(
            name: "deadlines", migrations: DeadlinesMigrations.all, handlers: DeadlinesCore.scheduledHandlers(settings: settings),
            startingOn: start, schedulerPolicy: schedulerPolicy, logger: quietLogger)
        return DeadlinesFixture(bed: bed, handler: NotificationIntakeHandler(settings: settings), settings: settings)
    }

    /// Runs `body` with a fresh fixture and drops its schema afterwards.
    static func with(startingOn start: CivilDate, releaseBatchSize: Int = 500,
                     schedulerPolicy: SchedulerPolicy = SchedulerPolicy(),
                     _ body: (DeadlinesFixture) async throws -> Void) async throws {
        try await make(startingOn: start, releaseBatchSize: releaseBatchSize, schedulerPolicy: schedulerPolicy).run(body)
    }

    func state(of document: String) async throws -> String? {
        try await scalar("SELECT state FROM atendimentos WHERE document = $1", [document])
    }
}

/// Test data.
enum Sample {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }
    static func abi(_ number: Int) -> ABINumber { try! ABINumber(number) }
    static func registro(_ text: String) -> RegistroANS { try! RegistroANS(text) }
    static func document(_ text: String) -> SUSDocumentNumber { try! SUSDocumentNumber(text) }

    /// A document number `prefix` padded to 13 digits with `n`.
    static func documentNumber(_ n: Int, prefix: String = "31") -> String {
        let digits = String(n)
        return prefix + String(repeating: "0", count: 13 - prefix.count - digits.count) + digits
    }

    static func atendimento(_ document: String, amount: Int64) -> Models.AtendimentoRecord {
        Models.AtendimentoRecord(
            kind: .aih, document: try! SUSDocumentNumber(document), competencia: try! YearMonth(parsing: "2025-10"),
            beneficiaryCode: "B123", birthDate: date("1970-05-01"), careStart: date("2025-10-03"),
            careEnd: date("2025-10-08"), cnes: try! CNES("1234567"), procedure: try! SIGTAPCode("0303010010"),
            quantity: 1, susValue: Money(centavos: amount * 2 / 3), amountToReimburse: Money(centavos: amount))
    }

    static func issued(abi: Int, registro: String, availableOn: String, atendimentos: [Models.AtendimentoRecord],
                       batchCount: Int) -> NotificationIssued {
        NotificationIssued(
            abi: Self.abi(abi), registroANS: Self.registro(registro), availableOn: date(availableOn),
            atendimentoCount: atendimentos.count, totalToReimburse: Money.sum(atendimentos.map(\.amountToReimburse)),
            batchCount: batchCount)
    }

    static func batch(abi: Int, registro: String, number: Int, _ atendimentos: [Models.AtendimentoRecord]) -> NotificationAtendimentos {
        NotificationAtendimentos(abi: Self.abi(abi), registroANS: Self.registro(registro), batch: number, atendimentos: atendimentos)
    }
}

var quietLogger: Logger {
    var logger = Logger(label: "deadlines-tests")
    logger.logLevel = .critical
    return logger
}
