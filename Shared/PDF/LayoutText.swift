/// Text decoded once for layout in one font: each character's width (1/1000 em) and where it starts
/// in the UTF-8 bytes. Wrapping and truncating then add integers and cut a `String` only for each
/// finished line, instead of building and encoding a `String` per word and per character.
///
/// Widths are exactly `PDFFont.width(of:)` of each character. Text whose characters are all single
/// scalars NFC leaves alone (`WinAnsi.layoutCode`; nearly all text) is decoded straight from its UTF-8
/// bytes; any other text is measured character by character through `WinAnsi.encode`.
struct LayoutText {
    enum Kind: UInt8 { case other, space, newline }

    struct Character {
        /// Offset of the character's first UTF-8 byte.
        var offset: Int32
        var units: UInt16
        var kind: Kind
    }

    let utf8: [UInt8]
    /// The characters in order, then an end marker whose offset is `utf8.count`.
    private(set) var characters: [Character] = []
    var count: Int { characters.count - 1 }

    init<S: StringProtocol>(_ text: S, font: PDFFont) {
        utf8 = Array(text.utf8)
        let widths = font.typeface.codeWidths
        if !decodeDirectly(widths) {
            var offset = 0
            for character in text {
                let units = font.typeface.units(ofEncoded: WinAnsi.encode(String(character)))
                let kind: Kind = character == " " ? .space : character == "\n" ? .newline : .other
                characters.append(Character(offset: Int32(offset), units: UInt16(clamping: units), kind: kind))
                offset += character.utf8.count
            }
        }
        characters.append(Character(offset: Int32(utf8.count), units: 0, kind: .other))
    }

    /// Decodes the UTF-8 bytes scalar by scalar; false at the first scalar that needs the general path.
    private mutating func decodeDirectly(_ widths: [UInt16]) -> Bool {
        var direct = true
        let low = WinAnsi.lowLayoutCodes
        characters = utf8.withUnsafeBufferPointer { utf8 in
            [Character](unsafeUninitializedCapacity: utf8.count + 1) { buffer, count in
                var index = 0
                while index < utf8.count {
                    let (scalar, length) = WinAnsi.decodeScalar(utf8, at: index)
                    guard let code = WinAnsi.layoutCode(scalar, low: low) else {
                        direct = false
                        count = 0
                        return
                    }
                    let kind: Kind = scalar == 0x20 ? .space : scalar == 0x0A ? .newline : .other
                    buffer[count] = Character(offset: Int32(index), units: widths[Int(code)], kind: kind)
                    count += 1
                    index += length
                }
            }
        }
        return direct
    }

    subscript(index: Int) -> Character { characters[index] }

    /// Width units of characters `range`.
    func units(_ range: Range<Int>) -> Int {
        var total = 0
        for index in range { total += Int(characters[index].units) }
        return total
    }

    /// The text of characters `range`.
    func string(_ range: Range<Int>) -> String {
        String(decoding: utf8[Int(characters[range.lowerBound].offset)..<Int(characters[range.upperBound].offset)], as: UTF8.self)
    }
}

extension WinAnsi {
    /// The scalar starting at `index` of valid UTF-8 `bytes`, and its length in bytes.
    @inline(__always)
    static func decodeScalar<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Int) -> (UInt32, Int)
    where Bytes.Index == Int {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
        }
        return ((lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                    | UInt32(bytes[index + 3] & 0x3F), 4)
    }

    /// For a scalar that is a whole character by itself and that NFC never changes nor combines with
    /// its neighbours, its measuring code: the WinAnsi byte (`encode`'s), 0x09 for a tab (which
    /// `encode` writes as a space but which does not break lines) and 0 for a dropped control.
    /// Nil for any other scalar, whose text must take the general path (normalization, grapheme
    /// clusters).
    ///
    /// Scalars below U+0300 qualify except CR (CR LF is one character): there are no combining marks,
    /// no canonical decompositions and no second characters of a composition there (UAX #15), and the
    /// grapheme rules join nothing there but CR LF (UAX #29). The typographic punctuation of CP1252's
    /// 0x80–0x9F block (– — ‘ ’ “ ” … € and the rest) qualifies too: starters without decompositions.
    static func layoutCode(_ scalar: UInt32) -> UInt8? { layoutCode(scalar, low: lowLayoutCodes) }

    /// `layoutCode` with the table of low codes already at hand (`lowLayoutCodes`: loops fetch it
    /// once, not through the global's lazy initialization check for every character).
    @inline(__always)
    static func layoutCode(_ scalar: UInt32, low: [UInt16]) -> UInt8? {
        if scalar < 0x300 {
            let code = low[Int(scalar)]
            return code > 0xFF ? nil : UInt8(code)
        }
        guard scalar >= 0x2013 && scalar <= 0x2122 else { return nil }
        return upperControlRange[scalar]
    }

    /// `layoutCode` of the scalars below U+0300, 0x100 for CR (nil).
    static let lowLayoutCodes: [UInt16] = (0..<0x300).map { (value: UInt32) -> UInt16 in
        switch value {
        case 0x09, 0x0A: UInt16(value)
        case 0x0D: 0x100
        default: UInt16(Unicode.Scalar(value).flatMap(byte(for:)) ?? 0)
        }
    }
}

extension PDFTypeface {
    /// Width units of each measuring code (`WinAnsi.layoutCode`): a tab measures as the space it is
    /// written as, dropped controls as 0.
    var codeWidths: [UInt16] {
        switch self {
        case .helvetica: Self.helveticaCodeWidths
        case .helveticaBold: Self.helveticaBoldCodeWidths
        case .courier: Self.courierCodeWidths
        }
    }

    private static let helveticaCodeWidths = codeWidthTable(.helvetica)
    private static let helveticaBoldCodeWidths = codeWidthTable(.helveticaBold)
    private static let courierCodeWidths = codeWidthTable(.courier)

    private static func codeWidthTable(_ typeface: PDFTypeface) -> [UInt16] {
        (0..<256).map { code in
            code == 0x09 ? UInt16(typeface.width(of: 0x20)) : code < 0x20 ? 0 : UInt16(typeface.width(of: UInt8(code)))
        }
    }

    /// Width units of WinAnsi bytes.
    func units<C: Collection>(ofEncoded bytes: C) -> Int where C.Element == UInt8 {
        var units = 0
        for byte in bytes { units += width(of: byte) }
        return units
    }
}
