import Foundation

/// One input row: its number as the operator sees it (CSV: line of the file, header = line 1;
/// JSON: position in the array, from 1), its fields by column name, or a syntax problem.
public struct SourceRow: Sendable {
    public var number: Int
    public var fields: [String: String]
    public var problem: String?
}

/// A CSV or JSON file read row by row (bounded memory). Column names are compared in lowercase
/// with surrounding spaces removed.
public final class TabularFile {
    public enum Format: String, Sendable { case csv, json }

    public let format: Format
    private let csv: CSVRecordReader?
    private let json: JSONArrayReader?
    private var header: [String] = []

    /// Opens `url`; the format comes from the extension (`.csv`, `.json`), else from the first byte.
    public init(url: URL) throws {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw IntakeFileError("arquivo não encontrado ou sem permissão de leitura: \(url.path)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw IntakeFileError("\(url.path) é uma pasta; informe um arquivo CSV ou JSON")
        }
        let ext = url.pathExtension.lowercased()
        let sniffed: Format
        if ext == "json" { sniffed = .json } else if ext == "csv" { sniffed = .csv } else {
            let first = try ByteSource(url: url).buffered.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            sniffed = first == UInt8(ascii: "[") ? .json : .csv
        }
        format = sniffed
        if sniffed == .json {
            json = try JSONArrayReader(url: url)
            csv = nil
        } else {
            let reader = try CSVRecordReader(url: url)
            guard let first = try reader.next() else { throw IntakeFileError("o arquivo CSV está vazio (falta o cabeçalho)") }
            header = first.fields.map(Self.normalize)
            csv = reader
            json = nil
        }
    }

    /// The CSV header's column names (empty for JSON).
    public var columns: [String] { header }

    /// The next row, or nil at the end.
    public func next() throws -> SourceRow? {
        if let csv {
            guard let record = try csv.next() else { return nil }
            if let problem = record.problem { return SourceRow(number: record.line, fields: [:], problem: problem) }
            guard record.fields.count == header.count else {
                return SourceRow(number: record.line, fields: [:],
                                 problem: "a linha tem \(record.fields.count) colunas; o cabeçalho tem \(header.count)")
            }
            var fields: [String: String] = [:]
            fields.reserveCapacity(header.count)
            for (name, value) in zip(header, record.fields) { fields[name] = value }
            return SourceRow(number: record.line, fields: fields, problem: nil)
        }
        guard let element = try json?.next() else { return nil }
        var fields: [String: String] = [:]
        for (name, value) in element.fields { fields[Self.normalize(name)] = value }
        return SourceRow(number: element.index, fields: fields, problem: element.problem)
    }

    static func normalize(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
