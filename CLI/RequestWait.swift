import Foundation
import Postgres
import Runtime

/// The bounded wait of every command that submits a request to a running service (see
/// `OperatorRequestDesk`): the service decides with its own clock, the command polls the answer.
struct RequestWait {
    /// The service, as the operator reads it ("serviço de prazos").
    let service: String
    /// `--tempo-limite`, in seconds.
    let seconds: Int
    /// Added to the timeout message (e.g. " (veja ressus status)").
    var hint = ""

    /// Rejects a non-positive `--tempo-limite`.
    func validate() throws {
        guard seconds > 0 else { throw OperatorError(message: "--tempo-limite deve ser positivo") }
    }

    /// Waits for the answer to request `id`, polling every 200 ms; no answer in time → exit status 3
    /// (the request stays recorded). Announces the wait first unless `quiet`.
    func outcome<Request: DeskRequest>(
        of id: Int64, _ type: Request.Type, pool: PostgresPool, quiet: Bool = false
    ) async throws -> RequestOutcome {
        if !quiet { print("Pedido nº \(id) registrado; aguardando o \(service) (até \(seconds) s)…") }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let outcome = try await pool.withConnection({ try OperatorRequestDesk.outcome(of: id, type, on: $0) }) {
                return outcome
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw OperatorError(
            message: "o \(service) não respondeu em \(seconds) s (está em execução?); o pedido nº \(id) "
                + "continua registrado e será decidido quando o serviço o processar\(hint)",
            exitCode: 3)
    }

    /// Prints an accepted outcome's message (unless `quiet`); a refused one → exit status 1 with its message.
    static func conclude(_ outcome: RequestOutcome, quiet: Bool = false) throws {
        guard outcome.accepted else { throw OperatorError(message: outcome.message) }
        if !quiet { print(outcome.message) }
    }
}
