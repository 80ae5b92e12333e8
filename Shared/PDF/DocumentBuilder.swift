/// Builds a paginated document top to bottom: each call lays its block out at once, starting a new
/// page when the current one is full. Running headers and footers are painted by `render()`, when
/// the page count is known ("Página N de M").
///
/// ```swift
/// var doc = PDFDocumentBuilder(info: PDFInfo(title: "Relatório", author: "ANS", creationDate: date))
/// doc.pageHeader(title: "Relatório", subtitle: "Operadora X")
/// doc.pageFooter { page, count in "Página \(page) de \(count)" }
/// doc.heading("Resumo")
/// doc.paragraph("Texto…")
/// doc.table(PDFTable(columns: [...], rows: [...]))
/// let bytes = doc.render()
/// ```
public struct PDFDocumentBuilder {
    public let info: PDFInfo
    public let pageSize: PDFPageSize
    public let margins: PDFMargins
    public var style: PDFStyle

    /// Drawings of each page laid out so far (there is always at least one page).
    var pages: [[PDFDrawing]] = [[]]
    /// Top of the free space on the current page, in points from the top edge.
    var cursor: Double

    var header: RunningHeader?
    var footer: RunningFooter?

    public init(
        info: PDFInfo, pageSize: PDFPageSize = .a4, margins: PDFMargins = .standard, style: PDFStyle = PDFStyle()
    ) {
        self.info = info
        self.pageSize = pageSize
        self.margins = margins
        self.style = style
        self.cursor = margins.top
    }

    /// Pages laid out so far.
    public var pageCount: Int { pages.count }
    /// Width between the left and right margins.
    public var contentWidth: Double { pageSize.width - margins.left - margins.right }
    /// Lowest y (from the top) content may reach.
    var bottomLimit: Double { pageSize.height - margins.bottom }
    var atPageTop: Bool { cursor <= margins.top }

    // MARK: Blocks

    /// A section title; level 1 is larger, in the accent colour, with a rule under it. It is kept on
    /// the same page as at least a few lines of what follows.
    public mutating func heading(_ text: String, level: Int = 1) {
        let font = level <= 1 ? style.heading1 : style.heading2
        let lineHeight = style.lineHeight(font)
        let lines = TextLayout.wrap(text, font: font, maxWidth: contentWidth)
        if !atPageTop { cursor += level <= 1 ? 10 : 6 }
        ensureRoom(Double(lines.count) * lineHeight + 4 * style.lineHeight(style.body))
        for line in lines {
            draw(line, font: font, x: margins.left, lineTop: cursor, lineHeight: lineHeight,
                 color: level <= 1 ? style.accent : style.text)
            cursor += lineHeight
        }
        if level <= 1 {
            cursor += 1
            pages[pages.count - 1].append(.line(
                x1: margins.left, y1: cursor, x2: margins.left + contentWidth, y2: cursor, width: 0.8,
                color: style.accent))
            cursor += 5
        } else {
            cursor += 2
        }
    }

    /// Wrapped text; `\n` starts a new line. Lines flow onto the next page as needed.
    /// `spacingAfter` defaults to the style's block spacing.
    public mutating func paragraph(
        _ text: String, font: PDFFont? = nil, color: PDFColor? = nil, indent: Double = 0, spacingAfter: Double? = nil
    ) {
        let font = font ?? style.body
        let lineHeight = style.lineHeight(font)
        for line in TextLayout.wrap(text, font: font, maxWidth: contentWidth - indent) {
            ensureRoom(lineHeight)
            draw(line, font: font, x: margins.left + indent, lineTop: cursor, lineHeight: lineHeight,
                 color: color ?? style.text)
            cursor += lineHeight
        }
        cursor += spacingAfter ?? style.blockSpacing
    }

    /// Preformatted monospaced text (calculation memos): spaces are kept, long lines wrap.
    public mutating func memo(_ text: String, indent: Double = 0) {
        paragraph(text, font: style.memo, color: style.text, indent: indent)
    }

    /// Labels in bold with their values beside them, one pair per line (values wrap).
    public mutating func keyValues(_ pairs: [(String, String)], font: PDFFont? = nil) {
        let valueFont = font ?? style.body
        let keyFont = valueFont.bold
        let lineHeight = style.lineHeight(valueFont)
        let widestKey = pairs.map { keyFont.width(of: $0.0) }.max() ?? 0
        let keyWidth = min(widestKey + 12, contentWidth * 0.4)
        for (key, value) in pairs {
            let keyLines = TextLayout.wrap(key, font: keyFont, maxWidth: keyWidth - 12)
            let valueLines = TextLayout.wrap(value, font: valueFont, maxWidth: contentWidth - keyWidth)
            ensureRoom(Double(max(keyLines.count, valueLines.count)) * lineHeight)
            for (index, line) in keyLines.enumerated() {
                draw(line, font: keyFont, x: margins.left, lineTop: cursor + Double(index) * lineHeight,
                     lineHeight: lineHeight, color: style.muted)
            }
            for (index, line) in valueLines.enumerated() {
                draw(line, font: valueFont, x: margins.left + keyWidth, lineTop: cursor + Double(index) * lineHeight,
                     lineHeight: lineHeight, color: style.text)
            }
            cursor += Double(max(keyLines.count, valueLines.count)) * lineHeight
        }
        cursor += style.blockSpacing
    }

    /// A line of text that opens `url` when clicked (e.g. `mailto:` addresses).
    public mutating func link(_ text: String, url: String, font: PDFFont? = nil, spacingAfter: Double = 0) {
        let font = font ?? style.body
        let lineHeight = style.lineHeight(font)
        let line = TextLayout.truncate(text, font: font, maxWidth: contentWidth)
        ensureRoom(lineHeight)
        draw(line, font: font, x: margins.left, lineTop: cursor, lineHeight: lineHeight, color: style.link)
        pages[pages.count - 1].append(.link(
            x: margins.left, y: cursor, width: font.width(of: line), height: lineHeight, uri: url))
        cursor += lineHeight + spacingAfter
    }

    /// A thin horizontal rule across the text width.
    public mutating func rule() {
        ensureRoom(8)
        cursor += 4
        pages[pages.count - 1].append(.line(
            x1: margins.left, y1: cursor, x2: margins.left + contentWidth, y2: cursor, width: 0.5, color: style.rule))
        cursor += 4
    }

    /// Vertical space (dropped at the top of a page).
    public mutating func space(_ points: Double) {
        if atPageTop { return }
        if cursor + points > bottomLimit { startPage() } else { cursor += points }
    }

    /// Starts a new page (unless the current one is still empty).
    public mutating func pageBreak() {
        if !atPageTop { startPage() }
    }

    // MARK: Layout primitives

    /// Starts a new page when fewer than `height` points are left on this one.
    mutating func ensureRoom(_ height: Double) {
        if cursor + height > bottomLimit && !atPageTop { startPage() }
    }

    mutating func startPage() {
        pages.append([])
        cursor = margins.top
    }

    /// Draws one line of text vertically centred (by cap height) in a line box starting at `lineTop`.
    mutating func draw(_ text: String, font: PDFFont, x: Double, lineTop: Double, lineHeight: Double, color: PDFColor) {
        pages[pages.count - 1].append(.text(
            text, font: font, x: x, y: baseline(font: font, lineTop: lineTop, lineHeight: lineHeight), color: color))
    }

    func baseline(font: PDFFont, lineTop: Double, lineHeight: Double) -> Double {
        lineTop + (lineHeight + font.capHeight) / 2
    }
}
