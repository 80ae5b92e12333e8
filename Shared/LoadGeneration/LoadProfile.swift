import Models

/// What `ressus carga gerar` produces: sizes and the shares of each path through the cycle. Every
/// default lives here (DOMAIN §10 gives the real scale: ~700 operadoras, 0.5-1.1 million
/// atendimentos a year, ~R$1,400 charged per atendimento). Shares are in per mille.
public struct LoadProfile: Codable, Sendable, Hashable {
    public var seed: UInt64
    public var operadoras: Int
    public var atendimentos: Int
    /// Number of the first ABI; the others follow (one ABI per quarter of competências, DOMAIN §1).
    public var firstABI: Int
    public var abis: Int
    /// First month of the first ABI's quarter.
    public var firstQuarter: YearMonth
    /// Share of notifications whose ciência is given explicitly (the rest go tacit after 10 days).
    public var explicitCienciaPerMille: Int
    /// Share of atendimentos impugned.
    public var impugnacaoPerMille: Int
    /// Decisions of impugnações: deferida and parcialmente deferida (the rest indeferida).
    public var deferidaPerMille: Int
    public var parcialPerMille: Int
    /// Share of indeferidas that go to recurso, and of recursos that are deferidos.
    public var recursoPerMille: Int
    public var recursoDeferidoPerMille: Int
    /// Payments of issued GRUs: on time, late, partial (the rest stay unpaid).
    public var paidOnTimePerMille: Int
    public var paidLatePerMille: Int
    public var paidPartiallyPerMille: Int
    /// Operadoras (the largest ones) that ask for a parcelamento of their open GRUs.
    public var parcelamentos: Int

    /// One year of ANS volume with the default shares.
    public static func standard(seed: UInt64) -> LoadProfile {
        LoadProfile(
            seed: seed, operadoras: 700, atendimentos: 1_100_000, firstABI: 1, abis: 4,
            firstQuarter: YearMonth(index: 2025 * 12), explicitCienciaPerMille: 700,
            impugnacaoPerMille: 100, deferidaPerMille: 300, parcialPerMille: 200,
            recursoPerMille: 400, recursoDeferidoPerMille: 200,
            paidOnTimePerMille: 700, paidLatePerMille: 150, paidPartiallyPerMille: 50, parcelamentos: 3)
    }

    /// Problems with the sizes or shares, in Portuguese (empty when valid).
    public var problems: [String] {
        var found: [String] = []
        if operadoras < 1 || operadoras > 99_999 { found.append("operadoras deve estar entre 1 e 99.999") }
        if atendimentos < 1 || atendimentos > 50_000_000 { found.append("atendimentos deve estar entre 1 e 50.000.000") }
        if abis < 1 || abis > 400 { found.append("abis deve estar entre 1 e 400") }
        if firstABI < 1 { found.append("o número da primeira ABI deve ser positivo") }
        let shares = [explicitCienciaPerMille, impugnacaoPerMille, deferidaPerMille, parcialPerMille,
                      recursoPerMille, recursoDeferidoPerMille, paidOnTimePerMille, paidLatePerMille,
                      paidPartiallyPerMille]
        if shares.contains(where: { $0 < 0 || $0 > 1000 }) { found.append("as proporções devem estar entre 0 e 1000 por mil") }
        if deferidaPerMille + parcialPerMille > 1000 { found.append("deferidas + parciais não podem passar de 1000 por mil") }
        if paidOnTimePerMille + paidLatePerMille + paidPartiallyPerMille > 1000 {
            found.append("pagamentos em dia + em atraso + parciais não podem passar de 1000 por mil")
        }
        if parcelamentos < 0 || parcelamentos > operadoras { found.append("parcelamentos deve estar entre 0 e o número de operadoras") }
        return found
    }
}
