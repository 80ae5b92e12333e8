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
        var out: [UInt8] = []
        func emit(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        let n = PDFSyntax.number
        for drawing in drawings {
            switch drawing {
            case let .text(text, font, x, y, color):
                let bytes = WinAnsi.encode(text)
                guard !bytes.isEmpty else { continue }
                emit("BT /\(fontName(font.typeface)) \(n(font.size)) Tf \(fill(color)) ")
                emit("\(n(x)) \(n(pageHeight - y)) Td ")
                out.append(contentsOf: WinAnsi.literal(bytes))
                emit(" Tj ET\n")
            case let .fill(x, y, width, height, color):
                emit("\(fill(color)) \(n(x)) \(n(pageHeight - y - height)) \(n(width)) \(n(height)) re f\n")
            case let .line(x1, y1, x2, y2, width, color):
                emit("\(stroke(color)) \(n(width)) w \(n(x1)) \(n(pageHeight - y1)) m ")
                emit("\(n(x2)) \(n(pageHeight - y2)) l S\n")
            case .link:
                continue
            }
        }
        return out
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

    private func fill(_ color: PDFColor) -> String { "\(components(color)) rg" }
    private func stroke(_ color: PDFColor) -> String { "\(components(color)) RG" }
    private func components(_ color: PDFColor) -> String {
        let n = PDFSyntax.number
        return "\(n(color.red)) \(n(color.green)) \(n(color.blue))"
    }
}
