import Foundation
import Postgres
import Runtime

/// Counts in the report publisher's schema, for `ressus status`: what the read model holds
/// (operadoras, atendimentos per situation, GRUs per state) and the portal's own data.
public enum ReportPublisherStatus {
    /// What `ressus status` shows for the report publisher, one line per query.
    public static let queries: [StatusQuery] = [
        StatusQuery("operadoras no modelo de leitura", "SELECT 'registradas', count(*) FROM rm_operadoras"),
        // Per situation, from the list counts (a row charged by its chargeable round keeps its process state).
        StatusQuery("atendimentos no modelo de leitura", "SELECT situation, sum(count)::bigint FROM rm_atendimento_counts "
            + "GROUP BY situation HAVING sum(count) <> 0 ORDER BY situation"),
        StatusQuery("GRUs no modelo de leitura", "SELECT state, count(*) FROM rm_grus GROUP BY state ORDER BY state"),
        StatusQuery("contas do portal", "SELECT 'cadastradas', count(*) FROM portal_accounts"),
        StatusQuery("ciências pelo portal", "SELECT 'enviadas', count(*) FROM portal_ciencia_requests"),
    ]

    /// Reads the counts on `connection` (search_path = the report publisher's schema).
    public static func read(on connection: PostgresConnection,
                            schema: String = ServiceDescriptor.reportPublisher.schema) throws -> ServiceStatus {
        try ServiceStatus.read(service: ServiceDescriptor.reportPublisher.name, schema: schema, queries: queries, on: connection)
    }
}
