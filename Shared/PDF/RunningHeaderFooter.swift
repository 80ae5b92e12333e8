/// Text repeated at the top of every page: a bold title, an optional subtitle under it and an
/// optional note on the right, above a rule.
struct RunningHeader {
    var title: String
    var subtitle: String?
    var trailing: String?
}

/// Text repeated at the bottom of every page, under a rule: an optional fixed note on the left and,
/// on the right, text made from the page number and page count.
struct RunningFooter {
    var leading: String?
    var trailing: (_ page: Int, _ count: Int) -> String
}

extension PDFDocumentBuilder {
    /// Sets the running header painted in the top margin of every page.
    public mutating func pageHeader(title: String, subtitle: String? = nil, trailing: String? = nil) {
        header = RunningHeader(title: title, subtitle: subtitle, trailing: trailing)
    }

    /// Sets the running footer painted in the bottom margin of every page; `trailing` receives the
    /// 1-based page number and the page count, e.g. `{ "Página \($0) de \($1)" }`.
    public mutating func pageFooter(leading: String? = nil, _ trailing: @escaping (_ page: Int, _ count: Int) -> String) {
        footer = RunningFooter(leading: leading, trailing: trailing)
    }

    /// Header and footer drawings for page `page` (1-based) of `count`.
    func decorations(page: Int, count: Int) -> [PDFDrawing] {
        var drawings: [PDFDrawing] = []
        let left = margins.left, right = pageSize.width - margins.right
        let width = right - left
        if let header {
            let ruleY = margins.top - 14
            let detailY = ruleY - 6
            let titleY = header.subtitle == nil ? detailY : detailY - 12
            let trailingWidth = header.trailing.map { style.headerDetail.width(of: $0) } ?? 0
            let title = TextLayout.truncate(header.title, font: style.headerTitle, maxWidth: width - trailingWidth - 12)
            drawings.append(.text(title, font: style.headerTitle, x: left, y: titleY, color: style.accent))
            if let subtitle = header.subtitle {
                let text = TextLayout.truncate(subtitle, font: style.headerDetail, maxWidth: width)
                drawings.append(.text(text, font: style.headerDetail, x: left, y: detailY, color: style.muted))
            }
            if let trailing = header.trailing {
                drawings.append(.text(
                    trailing, font: style.headerDetail, x: right - trailingWidth, y: titleY, color: style.muted))
            }
            drawings.append(.line(x1: left, y1: ruleY, x2: right, y2: ruleY, width: 0.8, color: style.accent))
        }
        if let footer {
            let ruleY = pageSize.height - margins.bottom + 18
            let textY = ruleY + 12
            let pageText = footer.trailing(page, count)
            let pageWidth = style.footer.width(of: pageText)
            drawings.append(.line(x1: left, y1: ruleY, x2: right, y2: ruleY, width: 0.5, color: style.rule))
            if let leading = footer.leading {
                let text = TextLayout.truncate(leading, font: style.footer, maxWidth: width - pageWidth - 12)
                drawings.append(.text(text, font: style.footer, x: left, y: textY, color: style.muted))
            }
            drawings.append(.text(pageText, font: style.footer, x: right - pageWidth, y: textY, color: style.muted))
        }
        return drawings
    }
}
