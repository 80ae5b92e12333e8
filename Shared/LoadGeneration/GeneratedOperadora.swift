import Models

/// An operadora of a generated load: valid registro ANS and CNPJ (numeric or, for some, the
/// alphanumeric format of IN RFB 2.229/2024), and a weight (its share of the atendimentos).
public struct GeneratedOperadora: Sendable, Hashable {
    public let registroANS: String
    public let cnpj: String
    public let razaoSocial: String
    public let email: String
    public let weight: Int

    /// The operadoras of `profile`, largest first. Sizes follow a Zipf-like curve (weight ∝ 1/(rank+10)),
    /// so a few operadoras hold many atendimentos and most hold few, as in the real market.
    public static func all(for profile: LoadProfile) -> [GeneratedOperadora] {
        var random = SeededGenerator.derived(seed: profile.seed, stream: 1)
        var usedRegistros = Set<Int>()
        return (0..<profile.operadoras).map { rank in
            var registro: Int
            repeat { registro = random.inRange(300_000...499_999) } while !usedRegistros.insert(registro).inserted
            let base = cnpjBase(rank: rank, random: &random)
            let cnpj = base + ((try? CNPJ.checkDigits(for: base)) ?? "00")
            let name = "\(firstWords[random.below(firstWords.count)]) \(secondWords[random.below(secondWords.count)]) \(kinds[rank % kinds.count])"
            let slug = "op\(registro)"
            return GeneratedOperadora(
                registroANS: String(registro), cnpj: cnpj, razaoSocial: name.uppercased(),
                email: "ressarcimento@\(slug).com.br", weight: 1_000_000 / (rank + 10))
        }
    }

    /// 12 characters (root + order); one operadora in ten gets an alphanumeric root.
    private static func cnpjBase(rank: Int, random: inout SeededGenerator) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let alphanumeric = rank % 10 == 9
        var root = ""
        for position in 0..<8 {
            let letters = alphanumeric && position >= 2 && position <= 4
            root.append(letters ? alphabet[10 + random.below(26)] : alphabet[random.below(10)])
        }
        if root.allSatisfy({ $0 == root.first }) { root = "1" + root.dropFirst() }
        return root + "0001"
    }

    private static let firstWords = ["Saúde", "Vida", "Bem", "Unimed", "Amparo", "Cuidar", "Prever", "Sul",
                                     "Nordeste", "Central", "Bandeirante", "Paulista", "Mineira", "Litoral"]
    private static let secondWords = ["Total", "Mais", "Plena", "Integral", "Brasil", "Família", "Serra",
                                      "Vale", "Norte", "Capital", "Leste", "Oeste", "Alvorada"]
    private static let kinds = ["Assistência Médica Ltda", "Planos de Saúde S.A.", "Cooperativa de Trabalho Médico",
                                "Medicina de Grupo Ltda", "Autogestão em Saúde", "Seguradora Especializada em Saúde"]
}
