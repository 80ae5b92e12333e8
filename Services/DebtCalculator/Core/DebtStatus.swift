import Foundation
import Postgres
import Runtime

/// Counts in the debt calculator's schema, for `ressus status`: GRUs per state, payments per
/// classification, parcelamentos per state, CADIN, held small charges and pending work.
public enum DebtStatus {
    /// What `ressus status` shows for the debt calculator, one line per query.
    public static let queries: [StatusQuery] = [
        StatusQuery("cobranças", "SELECT CASE WHEN gru_number IS NULL THEN 'retida' ELSE 'com_gru' END, count(*) "
            + "FROM charges GROUP BY 1 ORDER BY 1"),
        StatusQuery("GRUs", "SELECT state, count(*) FROM grus GROUP BY state ORDER BY state"),
        StatusQuery("pagamentos", "SELECT classification, count(*) FROM payments GROUP BY classification ORDER BY classification"),
        StatusQuery("parcelamentos", "SELECT state, count(*) FROM parcelamentos GROUP BY state ORDER BY state"),
        StatusQuery("CADIN", "SELECT 'grus_inscritas', count(*) FROM grus WHERE in_cadin "
            + "UNION ALL SELECT 'operadoras_inscritas', count(DISTINCT registro_ans) FROM grus WHERE in_cadin"),
        StatusQuery("pedidos do operador", "SELECT status, count(*) FROM requests GROUP BY status ORDER BY status"),
        StatusQuery("etapas agendadas", "SELECT kind, count(*) FROM scheduled_work WHERE status = 'pending' "
            + "AND kind LIKE 'debt.%' GROUP BY kind ORDER BY kind"),
    ]

    /// Reads the counts on `connection` (search_path = the debt calculator's schema).
    public static func read(on connection: PostgresConnection,
                            schema: String = ServiceDescriptor.debtCalculator.schema) throws -> ServiceStatus {
        try ServiceStatus.read(service: ServiceDescriptor.debtCalculator.name, schema: schema, queries: queries, on: connection)
    }
}
