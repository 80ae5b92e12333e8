import Foundation
import Models
import Postgres
import Runtime

/// Ciência of a notification given in the portal. The report publisher does not decide it (the
/// deadlines service owns the process): it records the request and publishes
/// `PortalCienciaRequested` on `Topics.portalRequests` through its outbox, in one transaction. The
/// page then shows "ciência enviada"; the ciência date appears once the deadlines service
/// publishes `NotificationCienciaRegistered`.
public enum PortalCiencia {
    public enum Outcome: Sendable, Equatable {
        case requested
        /// Not a notification of this operadora (also: another operadora's ABI).
        case notFound
        case alreadyRegistered(CivilDate)
        case alreadyRequested(CivilDate)
    }

    public static func request(abi: Int, registroANS: String, cnpjRoot: String, today: CivilDate, now: Date,
                               on c: PostgresConnection) throws -> Outcome {
        guard let row = try c.query("""
            SELECT n.ciencia_on, p.requested_on FROM rm_notifications n
            LEFT JOIN portal_ciencia_requests p ON p.registro_ans = n.registro_ans AND p.abi = n.abi
            WHERE n.registro_ans = $1 AND n.abi = $2 FOR UPDATE OF n
            """, [registroANS, abi]).first else { return .notFound }
        if let on = try row.decode(PostgresDate?.self, at: 0) { return .alreadyRegistered(try CivilDate(on)) }
        if let on = try row.decode(PostgresDate?.self, at: 1) { return .alreadyRequested(try CivilDate(on)) }
        _ = try c.execute("""
            INSERT INTO portal_ciencia_requests (registro_ans, abi, requested_on, requested_at, cnpj_root)
            VALUES ($1, $2, $3, $4, $5)
            """, [registroANS, abi, today.postgres, now, cnpjRoot])
        let event = PortalCienciaRequested(
            abi: try ABINumber(abi), registroANS: try RegistroANS(registroANS), requestedOn: today, cnpjRoot: cnpjRoot)
        try OutboxWriter(connection: c).append(event, topic: Topics.portalRequests.name, source: "report-publisher", time: now)
        return .requested
    }
}
