import Foundation
import Models
import Postgres
import Runtime

/// Loads the register of operadoras from a CSV (`registro_ans,cnpj,razao_social,email`) or JSON
/// file: validates each row, upserts it, and emits ``OperadoraRegistered`` (topic
/// ``Topics/operadoras``) through the outbox for each new or changed operadora, in one transaction.
/// Bad rows are reported with their number and reason; the others go on.
public struct OperadoraImporter {
    public struct Summary: Sendable, Equatable {
        public var inserted = 0
        public var updated = 0
        public var unchanged = 0
        public var rejected: [RowRejection] = []
    }

    public static let columns = ["registro_ans", "cnpj", "razao_social", "email"]

    public init() {}

    /// Validates one row into the event that registers it, or a reason in Portuguese.
    public static func validate(_ fields: [String: String], row: Int) -> Result<OperadoraRegistered, RowRejection> {
        func value(_ column: String) -> String { (fields[column] ?? "").trimmingCharacters(in: .whitespaces) }
        for column in columns where value(column).isEmpty {
            return .failure(RowRejection(row: row, reason: "\(column): não informado"))
        }
        for column in columns where value(column).hasControlCharacters {
            return .failure(RowRejection(row: row, reason: "\(column): contém caracteres de controle"))
        }
        let registro: RegistroANS, cnpj: CNPJ
        do { registro = try RegistroANS(value("registro_ans")) } catch {
            return .failure(RowRejection(row: row, reason: "registro_ans: \(error.descricao)"))
        }
        do { cnpj = try CNPJ(value("cnpj")) } catch {
            return .failure(RowRejection(row: row, reason: "cnpj: \(error.descricao)"))
        }
        let email = value("email")
        guard isEmailShaped(email) else {
            return .failure(RowRejection(row: row, reason: "email: '\(email)' não tem a forma nome@dominio.tld"))
        }
        return .success(OperadoraRegistered(registroANS: registro, cnpj: cnpj, razaoSocial: value("razao_social"), email: email))
    }

    /// One `@`, a non-empty local part, a domain with a dot, no spaces.
    static func isEmailShaped(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
    }

    /// Imports `file` on `connection` (no open transaction); events are stamped with `time`.
    public func importFile(_ file: URL, time: Date, on connection: PostgresConnection) throws -> Summary {
        let table = try TabularFile(url: file)
        if table.format == .csv {
            let missing = Self.columns.filter { !table.columns.contains($0) }
            guard missing.isEmpty else { throw IntakeFileError("colunas ausentes no cabeçalho: \(missing.joined(separator: ", "))") }
        }
        var valid: [(Int, OperadoraRegistered)] = []
        var summary = Summary()
        while let row = try table.next() {
            if let problem = row.problem {
                summary.rejected.append(RowRejection(row: row.number, reason: problem))
                continue
            }
            switch Self.validate(row.fields, row: row.number) {
            case .success(let operadora): valid.append((row.number, operadora))
            case .failure(let rejection): summary.rejected.append(rejection)
            }
        }
        let outcome = try connection.withTransaction { connection in
            var outcome = summary
            let outbox = OutboxWriter(connection: connection)
            for (_, operadora) in valid {
                let rows = try connection.query(Self.upsert, [
                    operadora.registroANS.value, operadora.cnpj.value, operadora.razaoSocial, operadora.email,
                ])
                guard let row = rows.first else {
                    outcome.unchanged += 1
                    continue
                }
                if try row.decode(Bool.self, at: 0) { outcome.inserted += 1 } else { outcome.updated += 1 }
                try outbox.append(operadora, topic: Topics.operadoras.name, source: IntakeEvents.source, time: time)
            }
            return outcome
        }
        return outcome
    }

    static let upsert = PostgresStatement("""
        INSERT INTO operadoras (registro_ans, cnpj, razao_social, email) VALUES ($1, $2, $3, $4)
        ON CONFLICT (registro_ans) DO UPDATE
            SET cnpj = EXCLUDED.cnpj, razao_social = EXCLUDED.razao_social, email = EXCLUDED.email, updated_at = now()
            WHERE (operadoras.cnpj, operadoras.razao_social, operadoras.email)
                IS DISTINCT FROM (EXCLUDED.cnpj, EXCLUDED.razao_social, EXCLUDED.email)
        RETURNING (xmax = 0) AS inserted
        """)
}

/// The intake's event source name.
public enum IntakeEvents {
    public static let source = "ressus-intake"
}
