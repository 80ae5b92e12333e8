import Foundation
import Postgres
import Runtime

/// Counts in the FNS transfer recorder's schema, for `ressus status`: collection months (transferred
/// or not), repasses per kind, settlements transferred or pending, operator requests and pending work.
public enum FNSStatus {
    /// What `ressus status` shows for the FNS transfer recorder, one line per query.
    public static let queries: [StatusQuery] = [
        StatusQuery("meses de arrecadação", "SELECT CASE WHEN EXISTS (SELECT 1 FROM repasses r WHERE r.collection_month = m.month) "
            + "THEN 'repassado' ELSE 'a_repassar' END, count(*) FROM collection_months m GROUP BY 1 ORDER BY 1"),
        StatusQuery("repasses", "SELECT kind, count(*) FROM repasses GROUP BY kind ORDER BY kind"),
        StatusQuery("liquidações", "SELECT CASE WHEN repasse_id IS NULL THEN 'pendente' ELSE 'repassada' END, count(*) "
            + "FROM settlements GROUP BY 1 ORDER BY 1"),
        StatusQuery("pedidos do operador", "SELECT status, count(*) FROM requests GROUP BY status ORDER BY status"),
        StatusQuery("repasses agendados", "SELECT kind, count(*) FROM scheduled_work WHERE status = 'pending' "
            + "AND kind LIKE 'fns.%' GROUP BY kind ORDER BY kind"),
    ]

    /// Reads the counts on `connection` (search_path = the FNS transfer recorder's schema).
    public static func read(on connection: PostgresConnection,
                            schema: String = ServiceDescriptor.fnsTransfer.schema) throws -> ServiceStatus {
        try ServiceStatus.read(service: ServiceDescriptor.fnsTransfer.name, schema: schema, queries: queries, on: connection)
    }
}
