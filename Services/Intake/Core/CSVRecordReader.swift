import Foundation

/// One CSV record: the physical line it starts on (the header is line 1), its fields, and what was
/// wrong with its syntax, if anything.
public struct CSVRecord: Sendable {
    public var line: Int
    public var fields: [String]
    /// A syntax problem (Portuguese), e.g. a quote never closed; the fields are then unreliable.
    public var problem: String?
}

/// Streams an RFC 4180 CSV file record by record (bounded memory): quoted fields (with commas,
/// doubled quotes and line breaks inside), LF or CRLF line ends, an optional UTF-8 BOM, and either
/// `,` or `;` as delimiter (whichever the header line uses). Blank lines are skipped. A record with
/// bytes that are not UTF-8 (a Latin-1 export) or a NUL byte is reported as a problem of that record;
/// a record over ``IntakePolicy/maximumCSVRecordBytes`` (a quote never closed) stops the file.
public final class CSVRecordReader {
    private let source: ByteSource
    public let delimiter: UInt8
    private var line = 1

    public init(url: URL) throws {
        source = try ByteSource(url: url)
        let header = source.buffered.prefix { $0 != UInt8(ascii: "\n") }
        let commas = header.filter { $0 == UInt8(ascii: ",") }.count
        let semicolons = header.filter { $0 == UInt8(ascii: ";") }.count
        delimiter = semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    /// The next non-blank record, or nil at the end of the file.
    public func next() throws -> CSVRecord? {
        while true {
            guard let record = try readRecord() else { return nil }
            if record.fields.count == 1, record.fields[0].isEmpty, record.problem == nil { continue }
            return record
        }
    }

    private func readRecord() throws -> CSVRecord? {
        guard try source.peek() != nil else { return nil }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var problem: String?
        var size = 0
        func text(_ bytes: [UInt8]) -> String {
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            problem = problem ?? "o campo \(fields.count + 1) não é texto UTF-8 (arquivo em Latin-1/Windows-1252? salve como UTF-8)"
            return String(decoding: bytes, as: UTF8.self)
        }
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        while let byte = try source.next() {
            size += 1
            if size > IntakePolicy.maximumCSVRecordBytes {
                throw IntakeFileError("o registro da linha \(start) passa de \(IntakePolicy.maximumCSVRecordBytes) bytes (aspas não fechadas?)")
            }
            if byte == 0 { problem = problem ?? "byte nulo no campo \(fields.count + 1) (arquivo binário ou em UTF-16?)" }
            if quoted {
                if byte == quote {
                    if try source.peek() == quote {
                        _ = try source.next()
                        field.append(quote)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case delimiter:
                let value = text(field)
                fields.append(value)
                field.removeAll(keepingCapacity: true)
            case quote where field.isEmpty:
                quoted = true
            case quote:
                problem = problem ?? "aspas fora de lugar no campo \(fields.count + 1)"
                field.append(byte)
            case cr:
                if try source.peek() == lf { _ = try source.next() }
                line += 1
                let value = text(field)
                fields.append(value)
                return CSVRecord(line: start, fields: fields, problem: problem)
            case lf:
                line += 1
                let value = text(field)
                fields.append(value)
                return CSVRecord(line: start, fields: fields, problem: problem)
            default:
                field.append(byte)
            }
        }
        if quoted { problem = "aspas abertas e não fechadas até o fim do arquivo" }
        let value = text(field)
        fields.append(value)
        return CSVRecord(line: start, fields: fields, problem: problem)
    }
}
