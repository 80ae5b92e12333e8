import Foundation

/// One element of a JSON array file: its 1-based position in the array, its flat fields as text
/// (numbers keep their exact text: no binary floating point), or what was wrong with it.
public struct JSONElement: Sendable {
    public var index: Int
    public var fields: [String: String]
    public var problem: String?
}

/// Streams a file holding one JSON array of flat objects, element by element, with bounded memory:
/// only one element's bytes are held at a time (at most ``IntakePolicy/maximumJSONElementBytes``).
/// Values may be strings, numbers, booleans or null (null = field absent); nested values are
/// reported as a problem of that element, and the reader goes on with the next one.
public final class JSONArrayReader {
    private let source: ByteSource
    private var index = 0
    private var ended = false

    /// Opens the file and checks that it starts with `[`.
    public init(url: URL) throws {
        source = try ByteSource(url: url)
        try skipWhitespace()
        guard try source.next() == UInt8(ascii: "[") else {
            throw IntakeFileError("o arquivo JSON deve conter uma lista ([ ... ]) de registros")
        }
    }

    /// The next element, or nil after the closing `]`.
    public func next() throws -> JSONElement? {
        guard !ended else { return nil }
        try skipWhitespace()
        if try source.peek() == UInt8(ascii: ",") {
            _ = try source.next()
            try skipWhitespace()
        }
        guard let first = try source.peek() else {
            throw IntakeFileError("o arquivo JSON termina sem fechar a lista (falta ']')")
        }
        if first == UInt8(ascii: "]") {
            ended = true
            return nil
        }
        index += 1
        let bytes = try captureValue()
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return JSONElement(index: index, fields: [:], problem: "o registro não é texto UTF-8 (arquivo em Latin-1/Windows-1252? salve como UTF-8)")
        }
        guard bytes.first == UInt8(ascii: "{") else {
            return JSONElement(index: index, fields: [:], problem: "o registro não é um objeto JSON")
        }
        do {
            return JSONElement(index: index, fields: try FlatJSONObject.parse(bytes), problem: nil)
        } catch let error as IntakeFileError {
            return JSONElement(index: index, fields: [:], problem: error.message)
        }
    }

    private func skipWhitespace() throws {
        while let byte = try source.peek(), [0x20, 0x09, 0x0A, 0x0D].contains(byte) { _ = try source.next() }
    }

    /// The bytes of one value: up to the `,` or `]` that ends it at depth 0, strings respected.
    private func captureValue() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var depth = 0, inString = false, escaped = false
        while let byte = try source.peek() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "]"):
                    if depth == 0 { return trimmed(bytes) }
                    depth -= 1
                case UInt8(ascii: "}"):
                    // A stray '}' would never be consumed: the same empty record forever.
                    guard depth > 0 else { throw IntakeFileError("JSON malformado: '}' sem '{' no registro \(index)") }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 { return trimmed(bytes) }
                default: break
                }
            }
            bytes.append(byte)
            _ = try source.next()
            if bytes.count > IntakePolicy.maximumJSONElementBytes {
                throw IntakeFileError("o registro \(index) do JSON passa de \(IntakePolicy.maximumJSONElementBytes) bytes (JSON malformado?)")
            }
        }
        throw IntakeFileError("o arquivo JSON termina no meio do registro \(index)")
    }

    private func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        while let last = slice.last, [0x20, 0x09, 0x0A, 0x0D].contains(last) { slice = slice.dropLast() }
        return Array(slice)
    }
}

/// Parses one flat JSON object into text fields (numbers keep their literal text).
enum FlatJSONObject {
    static func parse(_ bytes: [UInt8]) throws -> [String: String] {
        var fields: [String: String] = [:]
        var position = 1
        func skip() { while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 } }
        func string() throws -> String {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw IntakeFileError("JSON malformado: esperado um texto entre aspas") }
            let start = position
            position += 1
            var escaped = false, hasEscape = false
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if escaped { escaped = false; continue }
                if byte == UInt8(ascii: "\\") { escaped = true; hasEscape = true; continue }
                if byte == UInt8(ascii: "\"") {
                    let raw = bytes[start..<position]
                    if !hasEscape { return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self) }
                    let wrapped = Data([UInt8(ascii: "[")] + raw + [UInt8(ascii: "]")])
                    guard let array = try? JSONSerialization.jsonObject(with: wrapped) as? [String], let text = array.first else {
                        throw IntakeFileError("JSON malformado: texto com escape inválido")
                    }
                    return text
                }
            }
            throw IntakeFileError("JSON malformado: texto sem aspas de fechamento")
        }
        skip()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { return fields }
        while position < bytes.count {
            skip()
            let key = try string()
            skip()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw IntakeFileError("JSON malformado: falta ':' após \"\(key)\"") }
            position += 1
            skip()
            guard position < bytes.count else { throw IntakeFileError("JSON malformado: falta o valor de \"\(key)\"") }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                fields[key] = try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                throw IntakeFileError("o campo \"\(key)\" tem um valor composto; use texto ou número")
            default:
                let start = position
                while position < bytes.count, !",} \t\r\n".utf8.contains(bytes[position]) { position += 1 }
                let literal = String(decoding: bytes[start..<position], as: UTF8.self)
                guard literal == "null" || literal == "true" || literal == "false" || literal.first.map({ $0 == "-" || $0.isNumber }) == true else {
                    throw IntakeFileError("JSON malformado: valor '\(literal)' em \"\(key)\"")
                }
                if literal != "null" { fields[key] = literal }
            }
            skip()
            guard position < bytes.count else { throw IntakeFileError("JSON malformado: objeto sem '}'") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { return fields }
            throw IntakeFileError("JSON malformado: esperado ',' ou '}' após \"\(key)\"")
        }
        throw IntakeFileError("JSON malformado: objeto sem '}'")
    }
}
