import Foundation
import Models
import Postgres

/// Writes atendimentos and rejections of an ABI (the same rules for files and the upstream topic).
public enum AtendimentoStore {
    /// What writing one batch did.
    public struct Outcome: Sendable, Equatable {
        public var inserted = 0
        /// Already received (same document and competência), in this or an earlier ABI.
        public var existing = 0
        /// New rows refused because the ABI was already notified.
        public var refused: [RowRejection] = []
    }

    /// Registers the ABI if new; returns whether it was already known.
    @discardableResult
    public static func registerABI(_ abi: ABINumber, source: String, on connection: PostgresConnection) throws -> Bool {
        try connection.execute(
            "INSERT INTO abis (abi, first_source) VALUES ($1, $2) ON CONFLICT (abi) DO NOTHING", [abi.value, source]) == 0
    }

    /// Writes valid atendimentos of `abi` in the caller's transaction: COPY into a temporary staging
    /// table, then insert the new ones (ON CONFLICT DO NOTHING on document + competência). When
    /// the ABI was already notified, new rows are refused (they could never be notified).
    public static func write(_ rows: [ValidAtendimento], abi: ABINumber, on connection: PostgresConnection) throws -> Outcome {
        var outcome = Outcome()
        guard !rows.isEmpty else { return outcome }
        try connection.execute(createStaging)
        try connection.copy(into: "intake_staging", columns: columns, batchSize: 2_000) { writer in
            for row in rows {
                let r = row.record
                try writer.append([
                    r.document.value, r.competencia.description, abi.value, row.registroANS.value, r.kind.rawValue,
                    r.beneficiaryCode, r.birthDate.postgres, r.careStart.postgres, r.careEnd.postgres,
                    r.cnes.value, r.procedure.value, r.quantity, r.susValue.centavos, r.amountToReimburse.centavos,
                    row.row,
                ])
            }
        }
        // Lock the ABI row: the notifier closes it under an update lock, so rows never slip in after.
        let closed = try connection.query("SELECT closed_at IS NOT NULL FROM abis WHERE abi = $1 FOR SHARE", [abi.value])
        if try closed.first?.decode(Bool.self, at: 0) == true {
            let fresh = try connection.query("""
                SELECT s.source_row FROM intake_staging s
                WHERE NOT EXISTS (SELECT 1 FROM atendimentos a WHERE a.document = s.document AND a.competencia = s.competencia)
                ORDER BY s.source_row
                """)
            outcome.refused = try fresh.map {
                RowRejection(row: try $0.decode(Int.self, at: 0), reason: "\(abi) já notificada: atendimento novo não pode ser incluído")
            }
            outcome.existing = rows.count - outcome.refused.count
        } else {
            outcome.inserted = try connection.execute(insertNew)
            outcome.existing = rows.count - outcome.inserted
        }
        try connection.execute("TRUNCATE intake_staging")
        return outcome
    }

    /// Records rejected rows of `abi` from `source` (a re-import records nothing twice).
    public static func reject(_ rejections: [RowRejection], abi: ABINumber, source: String, on connection: PostgresConnection) throws {
        for rejection in rejections {
            try connection.execute(insertRejection, [abi.value, source, rejection.row, rejection.reason])
        }
    }

    static let columns = [
        "document", "competencia", "abi", "registro_ans", "kind", "beneficiary_code", "birth_date", "care_start",
        "care_end", "cnes", "procedure_code", "quantity", "sus_value", "amount", "source_row",
    ]

    static let createStaging = "CREATE TEMP TABLE IF NOT EXISTS intake_staging (LIKE atendimentos)"

    static let insertNew = """
        INSERT INTO atendimentos (\(columns.joined(separator: ", ")))
        SELECT \(columns.joined(separator: ", ")) FROM intake_staging
        ON CONFLICT (document, competencia) DO NOTHING
        """

    static let insertRejection = PostgresStatement("""
        INSERT INTO rejected_rows (abi, source, row_number, reason) VALUES ($1, $2, $3, $4)
        ON CONFLICT (abi, source, row_number) DO NOTHING
        """)
}
