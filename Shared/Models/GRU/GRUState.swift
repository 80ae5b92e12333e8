/// States of a GRU (DOMAIN §7). Raw values are the Portuguese names used in storage and reports.
public enum GRUState: String, Sendable, Hashable, Codable, CaseIterable {
    case emitida
    case paga
    case pagaComAtraso = "paga_com_atraso"
    case parcelada
    case suspensaJudicialmente = "suspensa_judicialmente"
    case inscritaEmDividaAtiva = "inscrita_em_divida_ativa"
    case cancelada

    /// Portuguese label for reports, e.g. "paga com atraso", "inscrita em dívida ativa".
    public var rotulo: String {
        switch self {
        case .inscritaEmDividaAtiva: "inscrita em dívida ativa"
        default: rawValue.replacingUnderscores()
        }
    }

    /// The label capitalized for headings and table cells, e.g. "Paga com atraso".
    public var titulo: String { rotulo.prefix(1).uppercased() + rotulo.dropFirst() }

    /// Contact e-mail shown in reports for a GRU in this state (DOMAIN §7).
    public var contactEmail: String {
        switch self {
        case .inscritaEmDividaAtiva: "pfans-i@ans.gov.br"
        case .parcelada: "parcelamentosus@ans.gov.br"
        default: "ressarcimento@ans.gov.br"
        }
    }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
