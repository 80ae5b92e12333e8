/// The kinds of identifier the rules validate.
public enum IdentifierKind: String, Sendable, Hashable {
    case cnpj, registroANS, abiNumber, susDocumentNumber, sigtapCode, cnes, gruNumber, gruIssuerPrefix

    /// English name for developer messages.
    public var name: String {
        switch self {
        case .cnpj: "CNPJ"
        case .registroANS: "registro ANS"
        case .abiNumber: "ABI number"
        case .susDocumentNumber: "AIH/APAC number"
        case .sigtapCode: "SIGTAP procedure code"
        case .cnes: "CNES"
        case .gruNumber: "GRU number"
        case .gruIssuerPrefix: "GRU issuer prefix"
        }
    }

    /// Portuguese name for operators.
    public var nome: String {
        switch self {
        case .cnpj: "CNPJ"
        case .registroANS: "registro ANS"
        case .abiNumber: "número do ABI"
        case .susDocumentNumber: "número da AIH/APAC"
        case .sigtapCode: "código de procedimento SIGTAP"
        case .cnes: "CNES"
        case .gruNumber: "número da GRU"
        case .gruIssuerPrefix: "prefixo emissor da GRU"
        }
    }
}

/// Why a text is not a valid identifier.
public enum IdentifierError: DomainError, Equatable {
    case empty(IdentifierKind)
    case wrongLength(IdentifierKind, expected: Int, actual: Int)
    case invalidCharacters(IdentifierKind, String)
    case wrongCheckDigits(IdentifierKind, expected: String, actual: String)
    case allSameCharacter(IdentifierKind)
    case notPositive(IdentifierKind)

    public var description: String {
        switch self {
        case .empty(let k): "\(k.name) is empty"
        case .wrongLength(let k, let expected, let actual):
            "\(k.name) must have \(expected) characters, got \(actual)"
        case .invalidCharacters(let k, let text): "\(k.name) '\(text)' has characters that are not allowed"
        case .wrongCheckDigits(let k, let expected, let actual):
            "\(k.name) check digits are \(actual), expected \(expected)"
        case .allSameCharacter(let k): "\(k.name) cannot repeat a single character"
        case .notPositive(let k): "\(k.name) must be a positive integer"
        }
    }

    public var descricao: String {
        switch self {
        case .empty(let k): "\(k.nome) não informado"
        case .wrongLength(let k, let expected, let actual):
            "\(k.nome) deve ter \(expected) caracteres (informados \(actual))"
        case .invalidCharacters(let k, let text): "\(k.nome) '\(text)' contém caracteres não permitidos"
        case .wrongCheckDigits(let k, let expected, let actual):
            "dígitos verificadores do \(k.nome) incorretos: informado \(actual), esperado \(expected)"
        case .allSameCharacter(let k): "\(k.nome) inválido: todos os caracteres são iguais"
        case .notPositive(let k): "\(k.nome) deve ser um número inteiro positivo"
        }
    }
}

/// Validates a fixed-length all-digit identifier (leading zeros kept).
func validatedDigits(_ text: String, count: Int, kind: IdentifierKind) throws(IdentifierError) -> String {
    if let digits = ASCIIFastPath.digits(text, count: count) { return digits }
    let trimmed = text.trimmingWhitespace()
    guard !trimmed.isEmpty else { throw .empty(kind) }
    guard trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .invalidCharacters(kind, text) }
    guard trimmed.count == count else { throw .wrongLength(kind, expected: count, actual: trimmed.count) }
    return trimmed
}
