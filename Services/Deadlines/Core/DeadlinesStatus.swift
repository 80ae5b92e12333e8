import Foundation
import Postgres
import Runtime

/// Counts per state in the deadlines schema, for `ressus status`.
public enum DeadlinesStatus {
    /// What `ressus status` shows for the deadlines service, one line per query.
    public static let queries: [StatusQuery] = [
        StatusQuery("notificações", "SELECT state, count(*) FROM notifications GROUP BY state ORDER BY state"),
        StatusQuery("atendimentos", "SELECT state, count(*) FROM atendimentos GROUP BY state ORDER BY state"),
        StatusQuery("impugnações", "SELECT status, count(*) FROM impugnacoes GROUP BY status ORDER BY status"),
        StatusQuery("decisões", "SELECT CASE instance WHEN 1 THEN 'impugnacao_' ELSE 'recurso_' END || result, count(*) "
            + "FROM decisions GROUP BY 1 ORDER BY 1"),
        StatusQuery("recursos", "SELECT status, count(*) FROM recursos GROUP BY status ORDER BY status"),
        StatusQuery("pedidos do operador", "SELECT status, count(*) FROM requests GROUP BY status ORDER BY status"),
        StatusQuery("prazos agendados", "SELECT kind, count(*) FROM scheduled_work WHERE status = 'pending' "
            + "AND kind LIKE 'deadlines.%' GROUP BY kind ORDER BY kind"),
    ]

    /// Reads the counts on `connection` (search_path = the deadlines schema).
    public static func read(on connection: PostgresConnection, schema: String = ServiceDescriptor.deadlines.schema) throws -> ServiceStatus {
        try ServiceStatus.read(service: ServiceDescriptor.deadlines.name, schema: schema, queries: queries, on: connection)
    }
}
