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
        var lines: [String] = []
        for hardLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(contentsOf: wrapLine(Substring(hardLine), font: font, maxWidth: maxWidth))
        }
        return lines
    }

    /// `text` cut to fit `maxWidth`, ending in "…" when anything was cut. Empty if not even "…" fits.
    public static func truncate(_ text: String, font: PDFFont, maxWidth: Double) -> String {
        if font.width(of: text) <= maxWidth { return text }
        let room = maxWidth - font.width(of: ellipsis)
        guard room >= 0 else { return "" }
        var kept = ""
        var width = 0.0
        for character in text {
            let characterWidth = font.width(of: String(character))
            if width + characterWidth > room { break }
            kept.append(character)
            width += characterWidth
        }
        while kept.last == " " { kept.removeLast() }
        return kept + ellipsis
    }

    private static func wrapLine(_ line: Substring, font: PDFFont, maxWidth: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        var currentWidth = 0.0
        var pendingSpaces = ""
        var atLineStart = true

        for token in tokens(line) {
            let tokenWidth = font.width(of: token)
            if token.first == " " {
                if atLineStart && lines.isEmpty { current += token; currentWidth += tokenWidth } else { pendingSpaces = token }
                continue
            }
            let spacesWidth = font.width(of: pendingSpaces)
            if currentWidth + spacesWidth + tokenWidth <= maxWidth {
                current += pendingSpaces + token
                currentWidth += spacesWidth + tokenWidth
            } else {
                if !atLineStart { lines.append(current) }
                current = ""
                currentWidth = 0
                for piece in split(token, font: font, maxWidth: maxWidth) {
                    if !current.isEmpty { lines.append(current) }
                    current = piece
                    currentWidth = font.width(of: piece)
                }
            }
            pendingSpaces = ""
            atLineStart = false
        }
        lines.append(current)
        return lines
    }

    /// Alternating runs of spaces and non-spaces.
    private static func tokens(_ line: Substring) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in line {
            if let last = current.last, (last == " ") != (character == " ") {
                tokens.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// A word cut into pieces that each fit `maxWidth` (at least one character per piece).
    private static func split(_ word: String, font: PDFFont, maxWidth: Double) -> [String] {
        var pieces: [String] = []
        var current = ""
        var width = 0.0
        for character in word {
            let characterWidth = font.width(of: String(character))
            if !current.isEmpty && width + characterWidth > maxWidth {
                pieces.append(current)
                current = ""
                width = 0
            }
            current.append(character)
            width += characterWidth
        }
        pieces.append(current)
        return pieces
    }
}
