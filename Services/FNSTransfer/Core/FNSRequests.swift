import Foundation
import Models
import Postgres
import Runtime

/// An operator's request to the FNS service (what `ressus fns repassar` submits).
public enum FNSRequest: DeskRequest, Hashable {
    /// Transfer the pending settlements of a collection month now.
    case repasse(month: YearMonth)

    public static let work = FNSWork.request

    public var kind: String {
        switch self {
        case .repasse: "repasse"
        }
    }
}

extension Repasse {
    /// Decides pending requests, in order, with the service's clock ("today") and records the outcomes.
    func fireRequests(_ items: [ScheduledItem], context: HandlerContext) throws {
        try OperatorRequestDesk.fire(items, as: FNSRequest.self, context: context) { request, _, today in
            switch request {
            case .repasse(let month):
                try decideRepasse(month: month, today: today, context: context)
            }
        }
    }

    private func decideRepasse(month: YearMonth, today: CivilDate, context: HandlerContext) throws -> RequestOutcome {
        guard today > month.lastDay else {
            return .refused("o mês de arrecadação \(month.brazilian) ainda não terminou "
                + "(hoje é \(today.brazilian)); o repasse pode ser feito a partir de \(month.next.firstDay.brazilian)")
        }
        if let event = try transferPending(month: month, on: today, trigger: .operatorRequest, context: context) {
            let kind = event.kind == .regular ? "regular" : "complementar"
            return .accepted("""
                Repasse \(event.repasseID) (\(kind)) do mês de arrecadação \(month.brazilian) registrado em \
                \(today.brazilian): principal \(event.principal.formatted), multa \(event.multa.formatted), \
                juros \(event.juros.formatted), total \(event.total.formatted) (\(event.paymentCount) pagamento\(event.paymentCount == 1 ? "" : "s")).
                """)
        }
        let previous = try context.connection.query(Self.lastRepasse, [month.description])
        if let last = previous.first {
            return .refused("o mês \(month.brazilian) já foi repassado "
                + "(repasse \(try last.decode(String.self, at: 0)) em \(try last.civilDate(at: 1).brazilian)); "
                + "não há liquidações pendentes")
        }
        return .refused("nenhum pagamento liquidado em \(month.brazilian); nada a repassar")
    }

    static let lastRepasse = PostgresStatement("""
        SELECT repasse_id, transferred_on FROM repasses WHERE collection_month = $1 ORDER BY sequence DESC LIMIT 1
        """)
}
