/// Writes the PDF 1.4 file structure: header, numbered indirect objects, the cross-reference table
/// with each object's byte offset, and the trailer (PDF Reference 1.4, §3.4).
struct PDFSerializer {
    private(set) var bytes: [UInt8] = []
    /// Byte offset of each object, by object number - 1 (nil while only reserved).
    private var offsets: [Int?] = []

    init() {
        // A comment with high bytes right after the header marks the file as binary (§3.4.1).
        append("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".unicodeScalars.map { UInt8($0.value) })
    }

    /// Allocates an object number, to be written later with `write`.
    mutating func reserve() -> Int {
        offsets.append(nil)
        return offsets.count
    }

    /// Writes object `number` with a body such as `<< /Type /Catalog … >>`.
    mutating func write(_ number: Int, _ body: String) {
        begin(number)
        append(body)
        append("\nendobj\n")
    }

    /// Writes object `number` as a stream, compressed with /FlateDecode when `compressed`.
    mutating func writeStream(_ number: Int, data: [UInt8], compressed: Bool) {
        let data = compressed ? Flate.zlib(data) : data
        begin(number)
        append("<< /Length \(data.count)\(compressed ? " /Filter /FlateDecode" : "") >>\nstream\n")
        append(data)
        append("\nendstream\nendobj\n")
    }

    /// Appends the xref table and trailer; returns the finished file.
    mutating func finish(root: Int, info: Int) -> [UInt8] {
        precondition(offsets.allSatisfy { $0 != nil }, "every reserved PDF object must be written")
        let xrefOffset = bytes.count
        append("xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n")
        for offset in offsets {
            let digits = String(offset ?? 0)
            append(String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n")
        }
        append("trailer\n<< /Size \(offsets.count + 1) /Root \(root) 0 R /Info \(info) 0 R >>\n")
        append("startxref\n\(xrefOffset)\n%%EOF\n")
        return bytes
    }

    private mutating func begin(_ number: Int) {
        precondition(offsets[number - 1] == nil, "PDF object \(number) written twice")
        offsets[number - 1] = bytes.count
        append("\(number) 0 obj\n")
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: Array(text.utf8)) }
    private mutating func append(_ data: [UInt8]) { bytes.append(contentsOf: data) }
}

/// PDF syntax helpers for values written into object bodies.
enum PDFSyntax {
    /// A number with at most two decimals and no exponent (`12`, `595.28`, `-3.5`).
    static func number(_ value: Double) -> String {
        var bytes: [UInt8] = []
        appendNumber(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `number(value)`'s text to `bytes`.
    static func appendNumber(_ value: Double, to bytes: inout [UInt8]) {
        let hundredths = Int((value * 100).rounded())
        if hundredths < 0 { bytes.append(0x2D) }
        let magnitude = hundredths.magnitude
        appendDigits(magnitude / 100, to: &bytes)
        let fraction = UInt8(magnitude % 100)
        guard fraction != 0 else { return }
        bytes.append(0x2E)
        bytes.append(0x30 + fraction / 10)
        if fraction % 10 != 0 { bytes.append(0x30 + fraction % 10) }
    }

    private static func appendDigits(_ value: UInt, to bytes: inout [UInt8]) {
        let start = bytes.count
        var rest = value
        repeat {
            bytes.append(0x30 + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    /// A text string for /Info and annotations: literal ASCII when possible, otherwise UTF-16BE with
    /// a byte order mark, in hex (§3.8.1), so any Unicode title survives.
    static func textString(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            return String(decoding: WinAnsi.literal(Array(text.utf8)), as: UTF8.self)
        }
        var hex = "<FEFF"
        for unit in text.utf16 {
            let digits = String(unit, radix: 16, uppercase: true)
            hex += String(repeating: "0", count: 4 - digits.count) + digits
        }
        return hex + ">"
    }
}
