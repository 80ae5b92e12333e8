import Foundation

/// One atendimento as an upstream system identified it: raw text fields named like the columns of
/// an ABI file (`docs/intake-files.md`), validated by the intake exactly like a file row.
public struct UpstreamAtendimento: Codable, Sendable, Hashable {
    public var tipo: String
    public var numeroDocumento: String
    public var competencia: String
    public var codigoBeneficiario: String
    public var dataNascimento: String
    public var dataInicio: String
    public var dataFim: String
    public var cnes: String
    public var procedimento: String
    public var quantidade: String
    public var valorSUS: String

    enum CodingKeys: String, CodingKey {
        case tipo, competencia, cnes, procedimento, quantidade
        case numeroDocumento = "numero_documento"
        case codigoBeneficiario = "codigo_beneficiario"
        case dataNascimento = "data_nascimento"
        case dataInicio = "data_inicio"
        case dataFim = "data_fim"
        case valorSUS = "valor_sus"
    }

    public init(tipo: String, numeroDocumento: String, competencia: String, codigoBeneficiario: String,
                dataNascimento: String, dataInicio: String, dataFim: String, cnes: String, procedimento: String,
                quantidade: String, valorSUS: String) {
        self.tipo = tipo
        self.numeroDocumento = numeroDocumento
        self.competencia = competencia
        self.codigoBeneficiario = codigoBeneficiario
        self.dataNascimento = dataNascimento
        self.dataInicio = dataInicio
        self.dataFim = dataFim
        self.cnes = cnes
        self.procedimento = procedimento
        self.quantidade = quantidade
        self.valorSUS = valorSUS
    }

    /// The fields by column name (as in an ABI file).
    public var fields: [String: String] {
        [
            "tipo": tipo, "numero_documento": numeroDocumento, "competencia": competencia,
            "codigo_beneficiario": codigoBeneficiario, "data_nascimento": dataNascimento, "data_inicio": dataInicio,
            "data_fim": dataFim, "cnes": cnes, "procedimento": procedimento, "quantidade": quantidade,
            "valor_sus": valorSUS,
        ]
    }
}

/// A batch of atendimentos of one operadora identified by an upstream system for ABI `abi`
/// (topic ``Topics/upstreamAtendimentos``). Batches are numbered 1, 2, ... per ABI across all
/// operadoras; a redelivered or republished batch number is ignored.
public struct UpstreamAtendimentosIdentified: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("upstream.atendimentos.identified", version: 1)
    public var abi: ABINumber
    public var batch: Int
    public var registroANS: String
    public var atendimentos: [UpstreamAtendimento]
    public var partitionKey: String { registroANS }

    public init(abi: ABINumber, batch: Int, registroANS: String, atendimentos: [UpstreamAtendimento]) {
        self.abi = abi
        self.batch = batch
        self.registroANS = registroANS
        self.atendimentos = atendimentos
    }
}

/// The upstream system finished ABI `abi`: it published `batchCount` batches (numbered 1 through
/// `batchCount`). The intake notifies the ABI once it holds all of them, whatever the order in which
/// the batches and this event arrive (they travel on different partitions).
public struct UpstreamABIClosed: DomainEvent, Hashable {
    public static let eventType = EventType.ressus("upstream.abi.closed", version: 1)
    public var abi: ABINumber
    public var batchCount: Int
    public var partitionKey: String { "abi-\(abi.value)" }

    public init(abi: ABINumber, batchCount: Int) {
        self.abi = abi
        self.batchCount = batchCount
    }
}
