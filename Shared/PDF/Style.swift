/// Fonts, colours and spacing the document builder uses. The defaults give a sober report look;
/// change a copy and pass it to `PDFDocumentBuilder` to adjust.
public struct PDFStyle: Sendable {
    public var body = PDFFont.helvetica(9.5)
    public var heading1 = PDFFont.helveticaBold(13)
    public var heading2 = PDFFont.helveticaBold(10.5)
    public var memo = PDFFont.courier(8)
    public var headerTitle = PDFFont.helveticaBold(11)
    public var headerDetail = PDFFont.helvetica(8)
    public var footer = PDFFont.helvetica(7.5)

    public var text = PDFColor.gray(0.1)
    public var muted = PDFColor.gray(0.4)
    public var accent = PDFColor(red: 0.09, green: 0.25, blue: 0.45)
    public var link = PDFColor(red: 0.05, green: 0.3, blue: 0.7)
    public var rule = PDFColor.gray(0.7)

    /// Line height as a multiple of the font size.
    public var lineSpacing = 1.3
    /// Space after a paragraph, key/value block or table.
    public var blockSpacing = 8.0

    public var table = PDFTableStyle()

    public init() {}

    func lineHeight(_ font: PDFFont) -> Double { font.size * lineSpacing }
}

/// How tables look.
public struct PDFTableStyle: Sendable {
    public var body = PDFFont.helvetica(8)
    public var header = PDFFont.helveticaBold(8)
    /// Horizontal space between a cell's edge and its text (right-aligned text ends here).
    public var horizontalPadding = 4.0
    public var verticalPadding = 2.5
    public var headerFill = PDFColor(red: 0.85, green: 0.89, blue: 0.94)
    public var headerText = PDFColor(red: 0.07, green: 0.19, blue: 0.35)
    /// Fill of every other body row; nil for none.
    public var stripeFill: PDFColor? = PDFColor.gray(0.96)
    public var groupFill = PDFColor(red: 0.93, green: 0.94, blue: 0.96)
    public var totalFill = PDFColor.gray(0.9)
    public var ruleColor = PDFColor.gray(0.55)
    /// Appended to a group's title when it is repeated at the top of a page.
    public var continuedGroupSuffix = " (continuação)"

    public init() {}
}
