import Models

/// The situation of an atendimento shown to the operadora (DOMAIN §3, §4, §7): the step of the
/// administrative process, or, once charged, the state of the GRU that charges it.
public enum AtendimentoSituation: String, Sendable, Hashable, CaseIterable {
    case notificado
    case impugnado
    case deferido
    case parcialmenteDeferido = "parcialmente_deferido"
    case indeferido
    case emRecurso = "em_recurso"
    case recursoDeferido = "recurso_deferido"
    case recursoParcial = "recurso_parcialmente_deferido"
    case recursoIndeferido = "recurso_indeferido"
    case cobravel
    case anulado
    /// Charged, held as a small charge (RN 533/2022) until the accumulated total passes R$ 100,00.
    case cobradoAcumulado = "cobrado_acumulado"
    case cobrado
    case pago
    case parcelado
    case suspenso
    case dividaAtiva = "divida_ativa"

    /// Portuguese label for the portal.
    public var rotulo: String {
        switch self {
        case .notificado: "Notificado"
        case .impugnado: "Impugnado (aguardando decisão)"
        case .deferido: "Impugnação deferida"
        case .parcialmenteDeferido: "Impugnação parcialmente deferida"
        case .indeferido: "Impugnação indeferida"
        case .emRecurso: "Em recurso"
        case .recursoDeferido: "Recurso deferido"
        case .recursoParcial: "Recurso parcialmente deferido"
        case .recursoIndeferido: "Recurso indeferido"
        case .cobravel: "Cobrável (aguardando cobrança)"
        case .anulado: "Anulado"
        case .cobradoAcumulado: "Cobrado (acumulado até passar de R$ 100,00)"
        case .cobrado: "Cobrado (GRU emitida)"
        case .pago: "Pago"
        case .parcelado: "Parcelado"
        case .suspenso: "Suspenso judicialmente"
        case .dividaAtiva: "Inscrito em dívida ativa"
        }
    }
}
