import Foundation
import Models

/// The columns of an ABI file (and the fields of an upstream atendimento), as documented in
/// `docs/intake-files.md`.
public enum AtendimentoColumn {
    public static let abi = "abi"
    public static let registroANS = "registro_ans"
    public static let tipo = "tipo"
    public static let numeroDocumento = "numero_documento"
    public static let competencia = "competencia"
    public static let codigoBeneficiario = "codigo_beneficiario"
    public static let dataNascimento = "data_nascimento"
    public static let dataInicio = "data_inicio"
    public static let dataFim = "data_fim"
    public static let cnes = "cnes"
    public static let procedimento = "procedimento"
    public static let quantidade = "quantidade"
    public static let valorSUS = "valor_sus"

    /// Required in every row (`abi` is optional when given by `--abi`).
    public static let required = [
        registroANS, tipo, numeroDocumento, competencia, codigoBeneficiario, dataNascimento,
        dataInicio, dataFim, cnes, procedimento, quantidade, valorSUS,
    ]
}

/// A valid atendimento with the operadora it belongs to and the row it came from.
public struct ValidAtendimento: Sendable, Hashable {
    public var row: Int
    public var registroANS: RegistroANS
    public var record: AtendimentoRecord
}

/// Validates one row's fields into an atendimento valued by IVR (DOMAIN §1-2), or a reason in
/// Portuguese. The operadora must be in the register.
public struct AtendimentoValidator {
    public let knownOperadoras: Set<String>
    public let policy: RulesPolicy
    private let fast = FastParsing()

    public init(knownOperadoras: Set<String>, policy: RulesPolicy = .standard) {
        self.knownOperadoras = knownOperadoras
        self.policy = policy
    }

    public func validate(_ fields: [String: String], row: Int) -> Result<ValidAtendimento, RowRejection> {
        do {
            return .success(try check(fields, row: row))
        } catch let rejection as RowRejection {
            return .failure(rejection)
        } catch {
            return .failure(RowRejection(row: row, reason: "\(error)"))
        }
    }

    private func check(_ fields: [String: String], row: Int) throws -> ValidAtendimento {
        typealias C = AtendimentoColumn
        func value(_ column: String) throws -> String {
            let text = (fields[column] ?? "").trimmedSpaces
            guard !text.isEmpty else { throw RowRejection(row: row, reason: "\(column): não informado") }
            return text
        }
        func parse<T>(_ column: String, _ body: (String) throws -> T) throws -> T {
            let text = try value(column)
            do {
                return try body(text)
            } catch let error as any DomainError {
                throw RowRejection(row: row, reason: "\(column): \(error.descricao)")
            }
        }
        let registro = try parse(C.registroANS) { try fast.registroANS($0) }
        guard knownOperadoras.contains(registro.value) else {
            throw RowRejection(row: row, reason: "\(C.registroANS): operadora \(registro.value) não cadastrada")
        }
        guard let kind = AtendimentoRecord.Kind(rawValue: try value(C.tipo).uppercased()) else {
            throw RowRejection(row: row, reason: "\(C.tipo): '\(fields[C.tipo] ?? "")' inválido (use AIH ou APAC)")
        }
        let document = try parse(C.numeroDocumento) { try SUSDocumentNumber($0) }
        let competencia = try parse(C.competencia) { try fast.competencia($0) }
        let beneficiary = try value(C.codigoBeneficiario)
        guard beneficiary.count <= IntakePolicy.maximumBeneficiaryCodeLength else {
            throw RowRejection(row: row, reason: "\(C.codigoBeneficiario): mais de \(IntakePolicy.maximumBeneficiaryCodeLength) caracteres")
        }
        guard !beneficiary.hasControlCharacters else {
            throw RowRejection(row: row, reason: "\(C.codigoBeneficiario): contém caracteres de controle")
        }
        let birth = try parse(C.dataNascimento) { try fast.date($0) }
        let start = try parse(C.dataInicio) { try fast.date($0) }
        let end = try parse(C.dataFim) { try fast.date($0) }
        guard birth <= start else {
            throw RowRejection(row: row, reason: "\(C.dataNascimento): \(birth.brazilian) posterior ao início do atendimento (\(start.brazilian))")
        }
        guard start <= end else {
            throw RowRejection(row: row, reason: "\(C.dataFim): \(end.brazilian) anterior ao início do atendimento (\(start.brazilian))")
        }
        guard competencia >= start.yearMonth else {
            throw RowRejection(row: row, reason: "\(C.competencia): \(competencia.brazilian) anterior ao início do atendimento (\(start.brazilian))")
        }
        let cnes = try parse(C.cnes) { try fast.cnes($0) }
        let procedure = try parse(C.procedimento) { try fast.procedure($0) }
        guard let quantity = Int(try value(C.quantidade)), (1...IntakePolicy.maximumQuantity).contains(quantity) else {
            throw RowRejection(row: row, reason: "\(C.quantidade): '\(fields[C.quantidade] ?? "")' deve ser um número inteiro "
                + "de 1 a \(IntakePolicy.maximumQuantity)")
        }
        let susValue = try parse(C.valorSUS) { try fast.money($0) }
        guard susValue > .zero else {
            throw RowRejection(row: row, reason: "\(C.valorSUS): o valor deve ser maior que zero")
        }
        guard susValue.centavos <= IntakePolicy.maximumSUSValueCentavos else {
            throw RowRejection(row: row, reason: "\(C.valorSUS): \(susValue.formatted) passa do máximo de "
                + "\(Money(centavos: IntakePolicy.maximumSUSValueCentavos).formatted) por atendimento")
        }
        let valued = Valuation.amountToReimburse(value: susValue, competencia: competencia, policy: policy)
        let record = AtendimentoRecord(
            kind: kind, document: document, competencia: competencia, beneficiaryCode: beneficiary,
            birthDate: birth, careStart: start, careEnd: end, cnes: cnes, procedure: procedure,
            quantity: quantity, susValue: susValue, amountToReimburse: valued.amount)
        return ValidAtendimento(row: row, registroANS: registro, record: record)
    }
}

/// A rejected row: its number and the reason, in Portuguese.
public struct RowRejection: Error, Sendable, Hashable {
    public var row: Int
    public var reason: String
    public init(row: Int, reason: String) {
        self.row = row
        self.reason = reason
    }
}

extension String {
    /// Holds an ASCII control character (NUL, escape…): never valid in a text field, and PostgreSQL
    /// refuses NUL in text.
    var hasControlCharacters: Bool { utf8.contains { $0 < 0x20 || $0 == 0x7F } }

    /// Without leading and trailing spaces and tabs (cheap when there are none, the usual case).
    var trimmedSpaces: String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        if let first = utf8.first, let last = utf8.last, !blank(first), !blank(last) { return self }
        let bytes = Array(utf8)
        guard let start = bytes.firstIndex(where: { !blank($0) }), let end = bytes.lastIndex(where: { !blank($0) }) else { return "" }
        if start == 0, end == bytes.count - 1 { return self }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }
}
