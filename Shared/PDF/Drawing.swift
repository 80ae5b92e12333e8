/// An RGB colour, each component 0...1.
public struct PDFColor: Hashable, Sendable {
    public var red: Double, green: Double, blue: Double

    public init(red: Double, green: Double, blue: Double) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// A neutral grey: 0 is black, 1 is white.
    public static func gray(_ level: Double) -> PDFColor { PDFColor(red: level, green: level, blue: level) }

    public static let black = PDFColor.gray(0)
    public static let white = PDFColor.gray(1)
}

/// A page size in points (1/72 inch).
public struct PDFPageSize: Hashable, Sendable {
    public var width: Double, height: Double

    public init(width: Double, height: Double) { (self.width, self.height) = (width, height) }

    /// ISO A4 portrait, 210 × 297 mm.
    public static let a4 = PDFPageSize(width: 595.28, height: 841.89)
}

/// Page margins in points. The running header is painted inside the top margin and the footer
/// inside the bottom one, so leave room for them (the defaults do).
public struct PDFMargins: Hashable, Sendable {
    public var top: Double, left: Double, bottom: Double, right: Double

    public init(top: Double, left: Double, bottom: Double, right: Double) {
        (self.top, self.left, self.bottom, self.right) = (top, left, bottom, right)
    }

    public static let standard = PDFMargins(top: 76, left: 42, bottom: 62, right: 42)
}

/// One thing painted on a page. Coordinates are in points from the page's top-left corner
/// (y grows downwards); the painter converts them to PDF's bottom-up space.
enum PDFDrawing: Sendable {
    /// Text whose baseline starts at (x, y).
    case text(String, font: PDFFont, x: Double, y: Double, color: PDFColor)
    /// A filled rectangle whose top-left corner is (x, y).
    case fill(x: Double, y: Double, width: Double, height: Double, color: PDFColor)
    /// A straight stroke.
    case line(x1: Double, y1: Double, x2: Double, y2: Double, width: Double, color: PDFColor)
    /// A clickable area opening `uri`.
    case link(x: Double, y: Double, width: Double, height: Double, uri: String)
}

/// Turns drawings into a content stream (PDF 1.4 §4, §5) and link annotations.
struct PagePainter {
    let pageHeight: Double
    /// Resource name of each typeface in the page's /Font dictionary.
    let fontName: (PDFTypeface) -> String

    func contentStream(_ drawings: [PDFDrawing]) -> [UInt8] {
        var out = ContentWriter()
        out.bytes.reserveCapacity(drawings.count * 64)
        for drawing in drawings {
            switch drawing {
            case let .text(text, font, x, y, color):
                let mark = out.bytes.count
                out.emit("BT /\(fontName(font.typeface)) ")
                out.number(font.size)
                out.emit(" Tf ")
                out.color(color, operator: "rg")
                out.emit(" ")
                out.numbers(x, pageHeight - y)
                out.emit(" Td (")
                let textStart = out.bytes.count
                WinAnsi.appendLiteralBody(text, to: &out.bytes)
                guard out.bytes.count > textStart else {
                    out.bytes.removeSubrange(mark...)
                    continue
                }
                out.emit(") Tj ET\n")
            case let .fill(x, y, width, height, color):
                out.color(color, operator: "rg")
                out.emit(" ")
                out.numbers(x, pageHeight - y - height)
                out.emit(" ")
                out.numbers(width, height)
                out.emit(" re f\n")
            case let .line(x1, y1, x2, y2, width, color):
                out.color(color, operator: "RG")
                out.emit(" ")
                out.number(width)
                out.emit(" w ")
                out.numbers(x1, pageHeight - y1)
                out.emit(" m ")
                out.numbers(x2, pageHeight - y2)
                out.emit(" l S\n")
            case .link:
                continue
            }
        }
        return out.bytes
    }

    /// Link annotation dictionaries for the page's /Annots array.
    func annotations(_ drawings: [PDFDrawing]) -> [String] {
        drawings.compactMap { drawing in
            guard case let .link(x, y, width, height, uri) = drawing else { return nil }
            let n = PDFSyntax.number
            let rect = "[\(n(x)) \(n(pageHeight - y - height)) \(n(x + width)) \(n(pageHeight - y))]"
            return "<< /Type /Annot /Subtype /Link /Rect \(rect) /Border [0 0 0] "
                + "/A << /S /URI /URI \(PDFSyntax.textString(uri)) >> >>"
        }
    }

}

/// A content stream's bytes, written in place (no `String` per operator).
private struct ContentWriter {
    var bytes: [UInt8] = []

    mutating func emit(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func emit(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func number(_ value: Double) { PDFSyntax.appendNumber(value, to: &bytes) }

    /// Two numbers separated by a space (a coordinate pair).
    mutating func numbers(_ first: Double, _ second: Double) {
        number(first)
        bytes.append(0x20)
        number(second)
    }

    /// `r g b rg` (fill) or `r g b RG` (stroke).
    mutating func color(_ color: PDFColor, operator name: StaticString) {
        numbers(color.red, color.green)
        bytes.append(0x20)
        number(color.blue)
        bytes.append(0x20)
        emit(name)
    }
}
