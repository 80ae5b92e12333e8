import DeadlinesCore
import DebtCalculatorCore
import LoadGeneration
import Foundation
import LoadReplay
import Models
import Postgres
import Runtime

/// The replay's filings and payments: the operadoras' ciências, impugnações and recursos with ANS's
/// decisions (`ciencias.csv`, `impugnacoes.csv`), submitted through the deadlines service's request
/// desk exactly as `ressus ciencia|impugnacao|recurso` submit them, but in bulk; and the bank-return
/// files paying GRUs on time, late and in part (the load profile's shares).
extension Replay {
    /// Requests recorded per transaction.
    static let requestChunk = 500

    /// Records `requests` for the deadlines service (the commands' `OperatorRequestDesk`), then waits,
    /// sampling, until it decided every one; a refusal fails the replay with the service's reasons.
    func submit(_ requests: [OperatorRequest], label: String) async throws {
        try await submit(requests, to: deadlinesPool, service: "serviço de prazos", label: label)
    }

    /// Records `requests` in the request desk of the service whose schema `desk` searches, as its
    /// commands do, then waits, sampling, until it decided every one; a refusal fails the replay.
    func submit<Request: DeskRequest>(_ requests: [Request], to desk: PostgresPool, service: String,
                                      label: String) async throws {
        guard !requests.isEmpty else { return }
        log("\(label): \(grouped(requests.count)) pedido(s) ao \(service)")
        var firstID = Int64.max, lastID = Int64.min
        for start in stride(from: 0, to: requests.count, by: Self.requestChunk) {
            let chunk = Array(requests[start..<min(start + Self.requestChunk, requests.count)])
            let ids = try await desk.withTransaction { try OperatorRequestDesk.submit(all: chunk, on: $0) }
            firstID = min(firstID, ids.min() ?? firstID)
            lastID = max(lastID, ids.max() ?? lastID)
        }
        let deadline = Date().addingTimeInterval(TimeInterval(command.tempoLimite))
        var start = firstID
        while true {
            let (from, last) = (start, lastID)
            let progress = try await desk.withConnection { try OperatorRequestDesk.progress(from: from, through: last, on: $0) }
            if !progress.refusals.isEmpty {
                throw OperatorError(message: "\(label): o \(service) recusou pedido(s): " + progress.refusals.joined(separator: " | "))
            }
            guard let firstPending = progress.firstPending else { return }
            start = firstPending
            guard Date() < deadline else {
                let pending = try await desk.withConnection {
                    try $0.query("SELECT count(*) FROM requests WHERE id BETWEEN $1 AND $2 AND status = 'pendente'",
                                 [firstPending, last])[0].decode(Int64.self, at: 0)
                }
                throw OperatorError(message: "\(label): \(pending) pedido(s) sem resposta em \(command.tempoLimite) s")
            }
            try await wait(until: Date().addingTimeInterval(0.2))
        }
    }

    /// Explicit ciências on availability + the file's days, with the clock on the ninth day after the
    /// earliest availability still pending (before any tacit ciência of those notifications, RN 377/2015).
    func registerExplicitCiencias() async throws {
        let available = try await pool.withConnection { connection in
            try Dictionary(uniqueKeysWithValues: connection.query(
                "SELECT abi, registro_ans, available_on FROM deadlines.notifications WHERE available_on IS NOT NULL"
            ).map { row in ("\(try row.decode(Int.self, at: 0))/\(try row.decode(String.self, at: 1))", try row.civilDate(at: 2)) })
        }
        var pending = try filings.ciencias.map { ciencia -> (ReplayFilings.Ciencia, CivilDate) in
            guard let on = available["\(ciencia.abi)/\(ciencia.registroANS)"] else {
                throw OperatorError(message: "ciencias.csv: notificação da ABI \(ciencia.abi) para \(ciencia.registroANS) desconhecida")
            }
            return (ciencia, on)
        }
        while let earliest = pending.map(\.1).min() {
            today = max(today, earliest.adding(days: RulesPolicy.standard.tacitCienciaDays - 1))
            try await advanceClock(to: today)
            let due = pending.filter { $0.1.adding(days: $0.0.daysAfterAvailability) <= today }
            pending.removeAll { $0.1.adding(days: $0.0.daysAfterAvailability) <= today }
            try await submit(try due.map { ciencia, availableOn -> OperatorRequest in
                .ciencia(abi: try ABINumber(ciencia.abi), registroANS: try RegistroANS(ciencia.registroANS),
                         date: availableOn.adding(days: ciencia.daysAfterAvailability))
            }, label: "ciências expressas")
        }
    }

    /// The impugnações, filed today (within every notification's 30-day window).
    func fileImpugnacoes() async throws {
        try await submit(try filings.impugnacoes.map { row -> OperatorRequest in
            guard let grounds = ImpugnacaoGrounds(rawValue: row.grounds) else {
                throw OperatorError(message: "impugnacoes.csv: fundamento '\(row.grounds)' inválido")
            }
            return .impugnacao(abi: try ABINumber(row.abi), registroANS: try RegistroANS(row.registroANS),
                               document: try SUSDocumentNumber(row.document), competencia: try YearMonth(parsing: row.competencia),
                               grounds: grounds, text: "Impugnação da carga \(manifest.profile.seed)")
        }, label: "impugnações")
    }

    /// The first-instance decisions, made today.
    func decideImpugnacoes() async throws {
        try await submit(try filings.impugnacoes.map { row -> OperatorRequest in
            .decision(document: try SUSDocumentNumber(row.document), competencia: try YearMonth(parsing: row.competencia),
                      instance: .impugnacao, result: row.decision, amount: row.finalValue)
        }, label: "decisões de impugnação")
    }

    /// The recursos, filed today (within 10 days of the decisions' ciência, RN 358/2014 art. 28).
    func fileRecursos() async throws {
        try await submit(try filings.recursos.map { row -> OperatorRequest in
            .recurso(abi: try ABINumber(row.abi), registroANS: try RegistroANS(row.registroANS),
                     document: try SUSDocumentNumber(row.document), competencia: try YearMonth(parsing: row.competencia),
                     text: "Recurso da carga \(manifest.profile.seed)")
        }, label: "recursos")
    }

    /// The recursos' (final) decisions, made today.
    func decideRecursos() async throws {
        try await submit(try filings.recursos.map { row -> OperatorRequest in
            .decision(document: try SUSDocumentNumber(row.document), competencia: try YearMonth(parsing: row.competencia),
                      instance: .recurso, result: row.recurso ?? .indeferida, amount: nil)
        }, label: "decisões de recurso")
    }

    // MARK: Payments

    /// The open charge GRUs not paid at all yet, with their payment bucket (a hash of the operadora
    /// and the charges the GRU covers, not of its number, which depends on the order the debt
    /// calculator consumed them: the same GRUs are paid in every run of the same load).
    func unpaidGRUs() async throws -> [ReplayPaymentPlan.OpenGRU] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT gru_number, registro_ans, open_principal, due_date, accrual_date,
                    abs(hashtext(registro_ans || array_to_string(charge_ids, ','))) % 1000
                FROM debt_calculator.grus
                WHERE purpose = 'cobranca' AND state = 'emitida' AND paid_total = 0
                ORDER BY gru_number
                """).map { row in
                ReplayPaymentPlan.OpenGRU(
                    number: try row.decode(String.self, at: 0), registroANS: try row.decode(String.self, at: 1),
                    openPrincipal: try row.money(at: 2), dueDate: try row.civilDate(at: 3), accrualDate: try row.civilDate(at: 4),
                    bucket: try row.decode(Int.self, at: 5))
            }
        }
    }

    /// Pays today the unpaid GRUs whose bucket is one of `kinds` (what is due today by the debt
    /// calculator's rules and SELIC table, or half of it), importing the bank-return file with
    /// `ressus pagamentos importar`. Returns the payments.
    func pay(_ kinds: Set<ReplayPaymentPlan.Kind>) async throws -> [ReplayPaymentPlan.Payment] {
        let grus = try await unpaidGRUs()
        let calculator = try await debtPool.withConnection { try LateChargeCalculator(selic: DebtSelic.table(on: $0)) }
        let payments = paymentPlan.payments(of: grus, kinds: kinds, on: today, calculator: calculator)
        guard !payments.isEmpty else { return [] }
        let file = results.appendingPathComponent("pagamentos-\(today).csv")
        try Data(ReplayPaymentPlan.file(payments, prefix: "CARGA").utf8).write(to: file)
        let counts = ReplayPaymentPlan.Kind.allCases.compactMap { kind in
            let count = payments.filter { $0.kind == kind }.count
            return count > 0 ? "\(grouped(count)) \(kind.rawValue)" : nil
        }
        log("Pagamentos em \(today.brazilian): " + counts.joined(separator: ", "))
        try await cli(["pagamentos", "importar", file.path, "--tempo-limite", String(command.tempoLimite)],
                      log: "pagamentos-\(today)")
        return payments
    }

    /// Every charge GRU, for the collection steps (CADIN, dívida ativa).
    func chargeGRUs() async throws -> [ReplayCollection.GRU] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT gru_number, charged_on, due_date FROM debt_calculator.grus WHERE purpose = 'cobranca' ORDER BY gru_number
                """).map { row in
                ReplayCollection.GRU(number: try row.decode(String.self, at: 0), chargedOn: try row.civilDate(at: 1),
                                     dueDate: try row.civilDate(at: 2))
            }
        }
    }

    /// The GRUs out of collection: paid in full (on time or late) or parcelled.
    var settledGRUs: Set<String> {
        Set(payments.filter { $0.kind == .onTime || $0.kind == .late }.map(\.gru) + parcelamentos.flatMap(\.grus))
    }

    /// The plan from the options or the load's profile.
    static func paymentPlan(_ command: CargaReproduzir, _ profile: LoadProfile) -> ReplayPaymentPlan {
        ReplayPaymentPlan(onTimePerMille: command.pagosEmDia ?? profile.paidOnTimePerMille,
                          latePerMille: command.pagosEmAtraso ?? profile.paidLatePerMille,
                          partialPerMille: command.pagosEmParte ?? profile.paidPartiallyPerMille)
    }
}
