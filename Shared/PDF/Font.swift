/// One of the standard Type 1 fonts every PDF reader has built in (no embedding needed).
public enum PDFTypeface: String, Sendable, CaseIterable {
    case helvetica = "Helvetica"
    case helveticaBold = "Helvetica-Bold"
    /// Monospaced; for calculation memos and other column-aligned text.
    case courier = "Courier"

    /// The PostScript name written as /BaseFont.
    public var baseFontName: String { rawValue }

    /// Advance width of a WinAnsi byte, in 1/1000 em.
    func width(of byte: UInt8) -> Int {
        guard byte >= 0x20 else { return 0 }
        switch self {
        case .helvetica: return Int(FontWidths.helvetica[Int(byte) - 0x20])
        case .helveticaBold: return Int(FontWidths.helveticaBold[Int(byte) - 0x20])
        case .courier: return Int(FontWidths.courier)
        }
    }
}

/// A typeface at a size (points). Measures text exactly as a reader will lay it out (no kerning).
public struct PDFFont: Hashable, Sendable {
    public var typeface: PDFTypeface
    public var size: Double

    public init(_ typeface: PDFTypeface, size: Double) {
        self.typeface = typeface
        self.size = size
    }

    public static func helvetica(_ size: Double) -> PDFFont { PDFFont(.helvetica, size: size) }
    public static func helveticaBold(_ size: Double) -> PDFFont { PDFFont(.helveticaBold, size: size) }
    public static func courier(_ size: Double) -> PDFFont { PDFFont(.courier, size: size) }

    /// The same typeface in bold (Courier stays Courier).
    public var bold: PDFFont {
        typeface == .helvetica ? PDFFont(.helveticaBold, size: size) : self
    }

    /// Width in points of `text` set in this font.
    public func width(of text: String) -> Double {
        points(directUnits(of: text) ?? typeface.units(ofEncoded: WinAnsi.encode(text)))
    }

    /// Width units of `text` measured straight from its UTF-8 bytes; nil when some character needs
    /// the general path (see `WinAnsi.layoutCode`).
    func directUnits(of text: String) -> Int? {
        var text = text
        return text.withUTF8 { utf8 in
            let widths = typeface.codeWidths, low = WinAnsi.lowLayoutCodes
            var units = 0, index = 0
            while index < utf8.count {
                let (scalar, length) = WinAnsi.decodeScalar(utf8, at: index)
                guard let code = WinAnsi.layoutCode(scalar, low: low) else { return nil }
                units += Int(widths[Int(code)])
                index += length
            }
            return units
        }
    }

    /// Points of `units` 1/1000 em.
    @inline(__always)
    func points(_ units: Int) -> Double { Double(units) * size / 1000 }

    /// Height of the cap letters, for placing a baseline inside a box (Helvetica 718, Courier 562).
    var capHeight: Double { (typeface == .courier ? 562 : 718) * size / 1000 }

    /// Depth below the baseline of descenders (Helvetica -207, Courier -157), as a positive number.
    var descent: Double { (typeface == .courier ? 157 : 207) * size / 1000 }
}
