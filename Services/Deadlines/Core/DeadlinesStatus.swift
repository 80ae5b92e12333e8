import Foundation
import Postgres

/// Counts per state in the deadlines schema, for `ressus status`.
public struct DeadlinesStatus: Sendable {
    /// Table (Portuguese label) → state → count, e.g. "notificações" → "prazo_impugnacao" → 3.
    public let counts: [(table: String, states: [(state: String, count: Int)])]

    /// The count of `state` in `table` (0 when none).
    public func count(_ table: String, _ state: String) -> Int {
        counts.first { $0.table == table }?.states.first { $0.state == state }?.count ?? 0
    }

    /// Reads the counts on `connection` (search_path = the deadlines schema).
    public static func read(on connection: PostgresConnection) throws -> DeadlinesStatus {
        let queries: [(String, String)] = [
            ("notificações", "SELECT state, count(*) FROM notifications GROUP BY state ORDER BY state"),
            ("atendimentos", "SELECT state, count(*) FROM atendimentos GROUP BY state ORDER BY state"),
            ("impugnações", "SELECT status, count(*) FROM impugnacoes GROUP BY status ORDER BY status"),
            ("decisões", "SELECT CASE instance WHEN 1 THEN 'impugnacao_' ELSE 'recurso_' END || result, count(*) "
                + "FROM decisions GROUP BY 1 ORDER BY 1"),
            ("recursos", "SELECT status, count(*) FROM recursos GROUP BY status ORDER BY status"),
            ("pedidos do operador", "SELECT status, count(*) FROM requests GROUP BY status ORDER BY status"),
            ("prazos agendados", "SELECT kind, count(*) FROM scheduled_work WHERE status = 'pending' "
                + "AND kind LIKE 'deadlines.%' GROUP BY kind ORDER BY kind"),
        ]
        var counts: [(table: String, states: [(state: String, count: Int)])] = []
        for (table, sql) in queries {
            let states = try connection.query(sql).map { (state: try $0.decode(String.self, at: 0), count: try $0.decode(Int.self, at: 1)) }
            counts.append((table: table, states: states))
        }
        return DeadlinesStatus(counts: counts)
    }

    /// One line per table: "atendimentos: cobravel 3, impugnado 1".
    public var description: String {
        counts.map { entry in
            "\(entry.table): " + (entry.states.isEmpty ? "nenhum"
                : entry.states.map { "\($0.state) \($0.count)" }.joined(separator: ", "))
        }.joined(separator: "\n")
    }
}
