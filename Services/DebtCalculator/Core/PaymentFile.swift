import Foundation
import Models

/// The bank-return file of `ressus pagamentos importar` (layout in docs/payment-files.md): UTF-8 text,
/// `;`-separated, a header line `id_pagamento;gru;valor;data_pagamento;origem`, one payment a line.
/// Blank lines and lines starting with `#` are ignored; a file that is not UTF-8 is refused
/// (``decode(_:)``). A malformed row is reported (row number and
/// reason, in Portuguese) and the rest is processed; a well-formed row whose GRU number is unknown or
/// malformed is kept (the service flags it), never dropped.
public enum PaymentFile {
    public static let header = ["id_pagamento", "gru", "valor", "data_pagamento", "origem"]

    /// A row that could not be read.
    public struct RowError: Sendable, Hashable, CustomStringConvertible {
        /// 1-based line number in the file (the header is line 1).
        public let row: Int
        public let reason: String
        public var description: String { "linha \(row): \(reason)" }
    }

    public struct Parsed: Sendable {
        public var payments: [(row: Int, payment: IncomingPayment)] = []
        public var errors: [RowError] = []
    }

    /// The file's text, refusing what would import mangled ids or origins: UTF-16 (a spreadsheet's
    /// "Unicode text"), NUL bytes, or bytes that are not UTF-8 (a Latin-1/Windows-1252 export).
    public static func decode(_ data: Data) throws(PaymentFileError) -> String {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { throw .notUTF8(line: 1, detail: "UTF-16") }
        if let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) { return text }
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.contains(0) { throw .notUTF8(line: index + 1, detail: "byte nulo") }
            if String(validating: line, as: UTF8.self) == nil { throw .notUTF8(line: index + 1, detail: "Latin-1/Windows-1252?") }
        }
        throw .notUTF8(line: 1, detail: "Latin-1/Windows-1252?")
    }

    /// Reads the file's text. Throws only when the header is missing or wrong (nothing can be read).
    public static func parse(_ text: String) throws(PaymentFileError) -> Parsed {
        var parsed = Parsed()
        var headerSeen = false
        // A UTF-8 byte-order mark (spreadsheet exports) is not part of the header.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = line.split(separator: ";", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let row = index + 1
            guard headerSeen else {
                guard fields.map({ $0.lowercased() }) == header else { throw .badHeader(found: String(line)) }
                headerSeen = true
                continue
            }
            switch parseRow(fields) {
            case .success(let payment): parsed.payments.append((row, payment))
            case .failure(let reason): parsed.errors.append(RowError(row: row, reason: reason.text))
            }
        }
        guard headerSeen else { throw .badHeader(found: "") }
        return parsed
    }

    struct Reason: Error { let text: String }

    static func parseRow(_ fields: [String]) -> Result<IncomingPayment, Reason> {
        guard fields.count == header.count else {
            return .failure(Reason(text: "esperados \(header.count) campos separados por ';', encontrados \(fields.count)"))
        }
        let id = fields[0], gru = fields[1], origin = fields[4]
        guard !id.isEmpty else { return .failure(Reason(text: "id_pagamento vazio")) }
        guard !gru.isEmpty else { return .failure(Reason(text: "número da GRU vazio")) }
        guard !origin.isEmpty else { return .failure(Reason(text: "origem vazia")) }
        let amount: Money
        do { amount = try Money(parsing: fields[2]) } catch {
            return .failure(Reason(text: "valor '\(fields[2])' inválido: \(error.descricao)"))
        }
        guard amount > .zero else { return .failure(Reason(text: "valor deve ser positivo (recebido \(fields[2]))")) }
        let date: CivilDate
        do { date = try CivilDate(parsing: fields[3]) } catch {
            return .failure(Reason(text: "data_pagamento '\(fields[3])' inválida: \(error.descricao)"))
        }
        return .success(IncomingPayment(paymentID: id, gruText: gru, amount: amount, paidOn: date, origin: origin))
    }
}

/// Why a bank-return file cannot be read at all.
public enum PaymentFileError: DomainError, Equatable {
    case badHeader(found: String)
    /// The bytes are not UTF-8 text from `line` on (`detail`: what they look like).
    case notUTF8(line: Int, detail: String)

    public var description: String {
        switch self {
        case .badHeader(let found): "missing or wrong header (found '\(found)')"
        case .notUTF8(let line, let detail): "not UTF-8 text at line \(line) (\(detail))"
        }
    }

    public var descricao: String {
        switch self {
        case .badHeader(let found):
            "cabeçalho ausente ou incorreto (esperado '\(PaymentFile.header.joined(separator: ";"))', encontrado '\(found)')"
        case .notUTF8(let line, let detail):
            "o arquivo não é texto UTF-8 (linha \(line): \(detail)); salve-o como UTF-8 e importe de novo"
        }
    }
}
