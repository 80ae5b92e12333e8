/// SIGTAP procedures a generated atendimento can carry, with a relative frequency and a typical SUS
/// value (centavos per unit). Plausible, not an extract of the real SIGTAP table; the mix gives
/// about R$930 of SUS value per atendimento, i.e. ~R$1,400 to reimburse at IVR 1.5 (DOMAIN §10).
struct Procedure: Sendable {
    let code: String
    let weight: Int
    let unitCentavos: Int
    let quantity: ClosedRange<Int>
}

enum ProcedureCatalog {
    /// Hospital admissions (AIH).
    static let aih: [Procedure] = [
        Procedure(code: "0310010039", weight: 20, unitCentavos: 44_300, quantity: 1...1),   // parto normal
        Procedure(code: "0411010034", weight: 15, unitCentavos: 54_573, quantity: 1...1),   // parto cesariano
        Procedure(code: "0303140151", weight: 14, unitCentavos: 78_000, quantity: 1...1),   // pneumonias
        Procedure(code: "0303060212", weight: 10, unitCentavos: 95_000, quantity: 1...1),   // insuficiência cardíaca
        Procedure(code: "0407030026", weight: 8, unitCentavos: 72_000, quantity: 1...1),    // colecistectomia
        Procedure(code: "0303010037", weight: 10, unitCentavos: 32_000, quantity: 1...1),   // doenças infecciosas
        Procedure(code: "0303040149", weight: 6, unitCentavos: 120_000, quantity: 1...1),   // AVC
        Procedure(code: "0415010012", weight: 2, unitCentavos: 230_000, quantity: 1...1),   // cirurgias múltiplas
        Procedure(code: "0408050896", weight: 1, unitCentavos: 480_000, quantity: 1...1),   // artroplastia de quadril
        Procedure(code: "0406020566", weight: 1, unitCentavos: 1_050_000, quantity: 1...1), // revascularização miocárdica
    ]

    /// High-complexity outpatient procedures (APAC).
    static let apac: [Procedure] = [
        Procedure(code: "0305010107", weight: 4, unitCentavos: 21_800, quantity: 10...13),  // hemodiálise (sessões)
        Procedure(code: "0304020060", weight: 10, unitCentavos: 85_000, quantity: 1...1),   // quimioterapia paliativa
        Procedure(code: "0304010421", weight: 5, unitCentavos: 150_000, quantity: 1...1),   // radioterapia
        Procedure(code: "0604320140", weight: 12, unitCentavos: 38_000, quantity: 1...2),   // medicamento especializado
        Procedure(code: "0211060100", weight: 12, unitCentavos: 9_500, quantity: 1...1),    // exame oftalmológico
    ]

    static let aihTotalWeight = aih.reduce(0) { $0 + $1.weight }
    static let apacTotalWeight = apac.reduce(0) { $0 + $1.weight }

    static func pick(aih isAIH: Bool, random: inout SeededGenerator) -> Procedure {
        let list = isAIH ? aih : apac
        var roll = random.below(isAIH ? aihTotalWeight : apacTotalWeight)
        for procedure in list {
            if roll < procedure.weight { return procedure }
            roll -= procedure.weight
        }
        return list[list.count - 1]
    }
}
