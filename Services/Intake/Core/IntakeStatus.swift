import Foundation
import Postgres
import Runtime

/// Counts in the intake schema, for `ressus status`: the register, the ABIs, the atendimentos
/// received and the rows rejected, the notifications issued and what is still to be emitted.
public enum IntakeStatus {
    /// What `ressus status` shows for the intake service, one line per query.
    public static let queries: [StatusQuery] = [
        StatusQuery("operadoras", "SELECT 'cadastradas', count(*) FROM operadoras"),
        StatusQuery("ABIs", "SELECT CASE WHEN closed_at IS NULL THEN 'aberta' ELSE 'notificada' END, count(*) "
            + "FROM abis GROUP BY 1 ORDER BY 1"),
        StatusQuery("atendimentos", "SELECT 'recebidos', count(*) FROM atendimentos "
            + "UNION ALL SELECT 'rejeitados', count(*) FROM rejected_rows"),
        StatusQuery("notificações", "SELECT CASE state WHEN 'issued' THEN 'emitida' ELSE 'em_emissao' END, count(*) "
            + "FROM notifications GROUP BY 1 ORDER BY 1"),
        StatusQuery("lotes upstream", "SELECT 'recebidos', count(*) FROM upstream_batches"),
        StatusQuery("emissões agendadas", "SELECT kind, count(*) FROM scheduled_work WHERE status = 'pending' "
            + "AND kind LIKE 'intake.%' GROUP BY kind ORDER BY kind"),
    ]

    /// Reads the counts on `connection` (search_path = the intake schema).
    public static func read(on connection: PostgresConnection, schema: String = ServiceDescriptor.intake.schema) throws -> ServiceStatus {
        try ServiceStatus.read(service: ServiceDescriptor.intake.name, schema: schema, queries: queries, on: connection)
    }
}
