/// Measuring, wrapping and truncating text for a given font and width.
public enum TextLayout {
    /// The mark that ends truncated text.
    public static let ellipsis = "…"

    /// Breaks `text` into lines no wider than `maxWidth` points.
    ///
    /// Lines break at spaces (U+0020 only: a no-break space, U+00A0, keeps "R$\u{A0}1,00" together);
    /// `\n` forces a break (an empty line stays empty). Runs of spaces inside a
    /// line and leading spaces are kept (memos align columns with them); the spaces at a soft break
    /// are dropped. A word wider than `maxWidth` is split between characters.
    public static func wrap(_ text: String, font: PDFFont, maxWidth: Double) -> [String] {
        // Most cells and headings fit on one line: measured without decoding them for wrapping. The
        // margin keeps the shortcut clear of the rounding of the per-word sums the full path adds;
        // a trailing space is dropped by the full path.
        if !text.utf8.contains(0x0A), text.utf8.last != 0x20, let direct = font.directUnits(of: text),
           font.points(direct) < maxWidth - 1e-6 {
            return [text]
        }
        let measured = LayoutText(text, font: font)
        var wrapper = LineWrapper(text: measured, font: font, maxWidth: maxWidth)
        var lineStart = 0
        for index in 0..<measured.count where measured[index].kind == .newline {
            wrapper.wrapLine(lineStart..<index)
            lineStart = index + 1
        }
        wrapper.wrapLine(lineStart..<measured.count)
        return wrapper.lines
    }

    /// `text` cut to fit `maxWidth`, ending in "…" when anything was cut. Empty if not even "…" fits.
    public static func truncate(_ text: String, font: PDFFont, maxWidth: Double) -> String {
        if font.width(of: text) <= maxWidth { return text }
        let measured = LayoutText(text, font: font)
        let room = maxWidth - font.width(of: ellipsis)
        guard room >= 0 else { return "" }
        var kept = 0
        var width = 0.0
        while kept < measured.count {
            let characterWidth = font.points(Int(measured[kept].units))
            if width + characterWidth > room { break }
            width += characterWidth
            kept += 1
        }
        while kept > 0 && measured[kept - 1].kind == .space { kept -= 1 }
        return measured.string(0..<kept) + ellipsis
    }
}

/// Greedy line filling over measured characters. A line is a range of characters: what a line
/// holds is always contiguous in the text (leading spaces, then words with the spaces between them).
private struct LineWrapper {
    let text: LayoutText
    let font: PDFFont
    let maxWidth: Double
    var lines: [String] = []

    init(text: LayoutText, font: PDFFont, maxWidth: Double) {
        self.text = text
        self.font = font
        self.maxWidth = maxWidth
    }

    /// Wraps one hard line (characters `range`, without its `\n`).
    mutating func wrapLine(_ range: Range<Int>) {
        var current = range.lowerBound..<range.lowerBound
        var currentWidth = 0.0
        var pendingSpaces = 0..<0
        var atLineStart = true

        var tokenStart = range.lowerBound
        while tokenStart < range.upperBound {
            let isSpace = text[tokenStart].kind == .space
            var tokenEnd = tokenStart + 1
            while tokenEnd < range.upperBound && (text[tokenEnd].kind == .space) == isSpace { tokenEnd += 1 }
            let token = tokenStart..<tokenEnd
            tokenStart = tokenEnd

            let tokenWidth = font.points(text.units(token))
            if isSpace {
                if atLineStart { current = current.lowerBound..<token.upperBound; currentWidth += tokenWidth } else { pendingSpaces = token }
                continue
            }
            let spacesWidth = font.points(text.units(pendingSpaces))
            if currentWidth + spacesWidth + tokenWidth <= maxWidth {
                current = current.lowerBound..<token.upperBound
                currentWidth += spacesWidth + tokenWidth
            } else {
                if !atLineStart { lines.append(text.string(current)) }
                current = token.lowerBound..<token.lowerBound
                currentWidth = 0
                for piece in split(token) {
                    if !current.isEmpty { lines.append(text.string(current)) }
                    current = piece
                    currentWidth = font.points(text.units(piece))
                }
            }
            pendingSpaces = 0..<0
            atLineStart = false
        }
        lines.append(text.string(current))
    }

    /// A word cut into pieces that each fit `maxWidth` (at least one character per piece).
    private func split(_ word: Range<Int>) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = word.lowerBound
        var width = 0.0
        for index in word {
            let characterWidth = font.points(Int(text[index].units))
            if index > start && width + characterWidth > maxWidth {
                pieces.append(start..<index)
                start = index
                width = 0
            }
            width += characterWidth
        }
        pieces.append(start..<word.upperBound)
        return pieces
    }
}
