import Foundation
import Models

/// The parcelamentos the replay asks for (DOMAIN §6; the load profile's `parcelamentos`): the
/// operadoras with the largest open principal among the GRUs nobody pays (the unpaid bucket of the
/// ``ReplayPaymentPlan``) ask to split all of those GRUs; the replay pays the first installment, which
/// grants the plan.
public struct ReplayParcelamento: Sendable, Equatable {
    public var registroANS: String
    /// The GRUs parcelled, in number order.
    public var grus: [String]
    /// Their open principal when parcelled.
    public var principal: Money
    /// Installments asked for: at most ``maximumInstallments`` and what the rules allow.
    public var installments: Int

    /// Installments the replay asks for at most: the replay pays only the first, and the policy
    /// rescinds a plan after three missed installments, so a plan of three stays granted (deferido)
    /// whatever the clock does afterwards (two misses at most).
    public static let maximumInstallments = 3

    public init(registroANS: String, grus: [String], principal: Money, installments: Int) {
        self.registroANS = registroANS
        self.grus = grus
        self.principal = principal
        self.installments = installments
    }

    /// The `count` parcelamentos over `grus` (open, not paid at all): per operadora, its GRUs in the
    /// unpaid bucket of `plan`; the operadoras with the largest principal first (ties: registro ANS).
    /// `consolidated` gives C for a set of GRUs (DOMAIN §6: updated to the concession date), from
    /// which `rules` bound the installments.
    public static func choose(_ count: Int, among grus: [ReplayPaymentPlan.OpenGRU], plan: ReplayPaymentPlan,
                              rules: ParcelamentoRules, consolidated: ([ReplayPaymentPlan.OpenGRU]) -> Money)
        -> [ReplayParcelamento] {
        guard count > 0 else { return [] }
        let unpaid = Dictionary(grouping: grus.filter { plan.kind(bucket: $0.bucket) == .unpaid }, by: \.registroANS)
        let largest = unpaid.map { (registro: $0.key, grus: $0.value.sorted { $0.number < $1.number },
                                    principal: Money.sum($0.value.map(\.openPrincipal))) }
            .sorted { $0.principal != $1.principal ? $0.principal > $1.principal : $0.registro < $1.registro }
            .prefix(count)
        return largest.map { operadora in
            let allowed = rules.maximumInstallments(consolidated: consolidated(operadora.grus))
            return ReplayParcelamento(registroANS: operadora.registro, grus: operadora.grus.map(\.number),
                                      principal: operadora.principal, installments: min(maximumInstallments, allowed))
        }
    }
}
