import Foundation
import Logging
import Models
import Postgres
import Runtime

/// Applies the upstream topic (``Topics/upstreamAtendimentos``): each
/// ``UpstreamAtendimentosIdentified`` batch is validated like a file row (invalid rows go to
/// `rejected_rows` with source `upstream lote N` and their 1-based position, and are logged;
/// nothing is lost) and written with the same dedupe; ``UpstreamABIClosed`` records how many
/// batches the ABI has. Once all of them are in, "notify ABI N" is scheduled, due now.
public struct UpstreamAtendimentosHandler: EventHandler {
    public let acceptedTypes: Set<EventType> = [UpstreamAtendimentosIdentified.eventType, UpstreamABIClosed.eventType]
    let logger: Logger

    public init(logger: Logger = Logger(label: "ressus.intake.upstream")) { self.logger = logger }

    public func handle(_ event: EventEnvelope, context: HandlerContext) throws {
        let connection = context.connection
        if event.type == UpstreamABIClosed.eventType {
            let closed = try event.decode(UpstreamABIClosed.self)
            // A count of 0 or less would close (and notify) the ABI before any batch arrived.
            guard closed.batchCount >= 1 else {
                throw InvalidUpstreamEvent("abi \(closed.abi.value): batch count \(closed.batchCount) is not positive")
            }
            try AtendimentoStore.registerABI(closed.abi, source: "upstream", on: connection)
            try connection.execute("UPDATE abis SET expected_batches = $2 WHERE abi = $1", [closed.abi.value, closed.batchCount])
            try notifyIfComplete(closed.abi, context: context)
            return
        }
        let batch = try event.decode(UpstreamAtendimentosIdentified.self)
        guard batch.batch >= 1 else { throw InvalidUpstreamEvent("abi \(batch.abi.value): batch number \(batch.batch) is not positive") }
        try AtendimentoStore.registerABI(batch.abi, source: "upstream", on: connection)
        let fresh = try connection.execute("""
            INSERT INTO upstream_batches (abi, batch, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
            """, [batch.abi.value, batch.batch, event.id])
        guard fresh == 1 else {
            logger.info("upstream batch already received", metadata: ["abi": "\(batch.abi.value)", "batch": "\(batch.batch)"])
            return
        }
        let known = try connection.query("SELECT registro_ans FROM operadoras WHERE registro_ans = $1", [batch.registroANS])
        let validator = AtendimentoValidator(knownOperadoras: Set(try known.map { try $0.decode(String.self, at: 0) }))
        var valid: [ValidAtendimento] = []
        var rejected: [RowRejection] = []
        for (offset, atendimento) in batch.atendimentos.enumerated() {
            var fields = atendimento.fields
            fields[AtendimentoColumn.registroANS] = batch.registroANS
            switch validator.validate(fields, row: offset + 1) {
            case .success(let row): valid.append(row)
            case .failure(let rejection): rejected.append(rejection)
            }
        }
        let outcome = try AtendimentoStore.write(valid, abi: batch.abi, on: connection)
        rejected += outcome.refused
        try AtendimentoStore.reject(rejected, abi: batch.abi, source: "upstream lote \(batch.batch)", on: connection)
        if !rejected.isEmpty {
            logger.warning("upstream atendimentos rejected", metadata: [
                "abi": "\(batch.abi.value)", "batch": "\(batch.batch)", "rejected": "\(rejected.count)",
                "first_reason": "\(rejected[0].reason)",
            ])
        }
        try notifyIfComplete(batch.abi, context: context)
    }

    private func notifyIfComplete(_ abi: ABINumber, context: HandlerContext) throws {
        let rows = try context.connection.query("""
            SELECT a.expected_batches IS NOT NULL
                   AND (SELECT count(*) FROM upstream_batches b WHERE b.abi = a.abi) >= a.expected_batches
            FROM abis a WHERE a.abi = $1
            """, [abi.value])
        if try rows.first?.decode(Bool.self, at: 0) == true {
            try NotifyABIHandler.schedule(abi, dueAt: context.now, on: context.connection)
        }
    }
}

/// An upstream event that decodes but cannot be right (e.g. a batch count of 0): the inbox retries
/// it, then moves it to the topic's `.DLT` for an operator to look at.
public struct InvalidUpstreamEvent: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
