/// The amount to reimburse per atendimento (DOMAIN §2).
public enum Valuation {
    /// How an amount was valued.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// IVR × SUS value, rounded half-up (RN 504/2022), competências from 2008-01.
        case ivr = "ivr"
        /// Legacy (TUNEP) value as given, competências before 2008-01.
        case legacyValue = "valor-legado-tunep"
    }

    /// The amount to reimburse for an atendimento of `competencia` whose SUS value (or, before 2008-01,
    /// legacy TUNEP value) is `value`: IVR (1.5) × value rounded half-up from 2008-01, else `value` as given.
    public static func amountToReimburse(value: Money, competencia: Competencia,
                                         policy: RulesPolicy = .standard) -> (amount: Money, basis: Basis) {
        competencia >= policy.ivrFirstCompetencia
            ? (value.applying(policy.ivr), .ivr)
            : (value, .legacyValue)
    }
}

/// Small debts (DOMAIN §4, RN 533/2022): no GRU while the accumulated charge is R$100.00 or less.
public enum SmallDebtRule {
    /// Whether an operadora's accumulated, not yet billed amount justifies issuing a GRU (strictly above
    /// the threshold).
    public static func shouldIssueGRU(accumulated: Money, policy: RulesPolicy = .standard) -> Bool {
        accumulated > policy.smallDebtThreshold
    }
}
