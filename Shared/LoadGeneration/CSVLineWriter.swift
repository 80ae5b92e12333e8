import Foundation

/// Writes CSV lines (or any text lines) to a file through a large buffer (generated files reach
/// hundreds of MB). Also used by the benchmarks for their COPY files.
package final class CSVLineWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20

    /// Creates the file at `path`, starting with the `header` line if there is one.
    package init(path: String, header: String?) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw LoadGenerationError("não foi possível criar o arquivo \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(flushThreshold + 4096)
        if let header {
            append(header)
            endLine()
        }
    }

    package func append(_ text: String) { buffer.append(contentsOf: text.utf8) }
    func comma() { buffer.append(UInt8(ascii: ",")) }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    func appendDigits(_ value: Int, width: Int = 0) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(48 + rest % 10))
            rest /= 10
        } while rest > 0
        if digits.count < width { buffer.append(contentsOf: repeatElement(48, count: width - digits.count)) }
        buffer.append(contentsOf: digits.reversed())
    }

    /// An amount in centavos as `1234.56`.
    func appendReais(centavos: Int) {
        appendDigits(centavos / 100)
        buffer.append(UInt8(ascii: "."))
        appendDigits(centavos % 100, width: 2)
    }

    /// A date as `AAAA-MM-DD`.
    func appendDate(year: Int, month: Int, day: Int) {
        appendDigits(year, width: 4)
        buffer.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2)
        buffer.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2)
    }

    package func endLine() {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= flushThreshold { flush() }
    }

    package func close() throws {
        flush()
        try handle.close()
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A problem generating a load (Portuguese, shown to the operator).
public struct LoadGenerationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
