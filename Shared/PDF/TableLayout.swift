extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// A table row with its text already broken into lines for each column.
private struct LaidOutRow {
    enum Kind { case header, body, group, total }
    var kind: Kind
    var lines: [[String]]
    var font: PDFFont
    var height: Double
}

extension PDFDocumentBuilder {
    /// Lays out `table` across the text width. Rows never split: a row that does not fit goes to
    /// the next page, where the header row is painted again, followed by the current group's title
    /// marked as continued. A group row stays with the row after it. A row taller than a whole page is cut to fit, ending in "…".
    public mutating func table(_ table: PDFTable) {
        let tableStyle = style.table
        let widths = table.columnWidths(available: contentWidth)
        var edges = [margins.left]
        for width in widths { edges.append(edges[edges.count - 1] + width) }
        let geometry = TableGeometry(style: tableStyle, lineSpacing: style.lineSpacing, edges: edges)
        let maxRowHeight = bottomLimit - margins.top

        let header = geometry.layOut(
            table.columns.map(\.title), kind: .header, font: tableStyle.header, columns: table.columns,
            maxHeight: maxRowHeight / 2)
        let bodyRoom = maxRowHeight - header.height
        var rows = table.rows.map { row -> LaidOutRow in
            switch row {
            case .cells(let texts):
                return geometry.layOut(texts, kind: .body, font: tableStyle.body, columns: table.columns, maxHeight: bodyRoom)
            case .total(let texts):
                return geometry.layOut(texts, kind: .total, font: tableStyle.body.bold, columns: table.columns, maxHeight: bodyRoom)
            case .group(let title):
                return geometry.layOutGroup(title, font: tableStyle.body.bold)
            }
        }
        let firstTotal = rows.count
        rows += table.totals.map {
            geometry.layOut($0, kind: .total, font: tableStyle.body.bold, columns: table.columns, maxHeight: bodyRoom)
        }

        ensureRoom(header.height + (rows.first?.height ?? 0) + (rows.first?.kind == .group && rows.count > 1 ? rows[1].height : 0))
        paint(header, geometry: geometry, columns: table.columns, fill: tableStyle.headerFill)
        var stripe = false
        var currentGroup: String?
        for (index, row) in rows.enumerated() {
            var needed = row.height
            if row.kind == .group, index + 1 < rows.count { needed += rows[index + 1].height }
            if cursor + needed > bottomLimit {
                startPage()
                paint(header, geometry: geometry, columns: table.columns, fill: tableStyle.headerFill)
                if let currentGroup, row.kind != .group, index < firstTotal {
                    let continued = geometry.layOutGroup(currentGroup + tableStyle.continuedGroupSuffix, font: tableStyle.body.bold)
                    paint(continued, geometry: geometry, columns: table.columns, fill: tableStyle.groupFill)
                    stripe = false
                }
            }
            if case .group(let title) = table.rows[safe: index] { currentGroup = title }
            if index == firstTotal { horizontalRule(geometry, width: 0.8, color: tableStyle.ruleColor) }
            var fill: PDFColor?
            switch row.kind {
            case .group: fill = tableStyle.groupFill; stripe = false
            case .total: fill = tableStyle.totalFill
            case .body, .header:
                fill = stripe ? tableStyle.stripeFill : nil
                stripe.toggle()
            }
            paint(row, geometry: geometry, columns: table.columns, fill: fill)
        }
        horizontalRule(geometry, width: 0.5, color: tableStyle.ruleColor)
        cursor += style.blockSpacing
    }

    private mutating func paint(_ row: LaidOutRow, geometry: TableGeometry, columns: [PDFTable.Column], fill: PDFColor?) {
        let style = geometry.style
        if let fill {
            pages[pages.count - 1].append(.fill(
                x: geometry.left, y: cursor, width: geometry.right - geometry.left, height: row.height, color: fill))
        }
        let color = row.kind == .header ? style.headerText : self.style.text
        for (column, lines) in row.lines.enumerated() {
            let alignment = row.kind == .group ? .left : columns[column].alignment
            let left = geometry.edges[column] + style.horizontalPadding
            let right = (row.kind == .group ? geometry.right : geometry.edges[column + 1]) - style.horizontalPadding
            for (index, line) in lines.enumerated() {
                let width = row.font.width(of: line)
                let x: Double
                switch alignment {
                case .left: x = left
                case .right: x = right - width
                case .center: x = (left + right - width) / 2
                }
                draw(line, font: row.font, x: x, lineTop: cursor + style.verticalPadding + Double(index) * geometry.lineHeight(row.font),
                     lineHeight: geometry.lineHeight(row.font), color: color)
            }
        }
        cursor += row.height
        if row.kind == .header { horizontalRule(geometry, width: 0.6, color: style.ruleColor) }
    }

    private mutating func horizontalRule(_ geometry: TableGeometry, width: Double, color: PDFColor) {
        pages[pages.count - 1].append(.line(
            x1: geometry.left, y1: cursor, x2: geometry.right, y2: cursor, width: width, color: color))
    }
}

/// Column edges and the line-breaking rules of one table.
private struct TableGeometry {
    let style: PDFTableStyle
    let lineSpacing: Double
    /// x of each column's left edge, then the table's right edge.
    let edges: [Double]

    var left: Double { edges[0] }
    var right: Double { edges[edges.count - 1] }

    func lineHeight(_ font: PDFFont) -> Double { font.size * lineSpacing }

    func layOut(_ texts: [String], kind: LaidOutRow.Kind, font: PDFFont, columns: [PDFTable.Column], maxHeight: Double) -> LaidOutRow {
        let lineHeight = lineHeight(font)
        let maxLines = max(1, Int((maxHeight - 2 * style.verticalPadding) / lineHeight))
        var lines: [[String]] = []
        for (index, column) in columns.enumerated() {
            let text = index < texts.count ? texts[index] : ""
            let room = max(0, edges[index + 1] - edges[index] - 2 * style.horizontalPadding)
            var cell: [String]
            switch column.overflow {
            case .truncate:
                let flat = text.split(separator: "\n").joined(separator: " ")
                cell = [TextLayout.truncate(flat, font: font, maxWidth: room)]
            case .wrap:
                cell = TextLayout.wrap(text, font: font, maxWidth: room)
            }
            if cell.count > maxLines {
                cell = Array(cell.prefix(maxLines))
                cell[maxLines - 1] = TextLayout.truncate(cell[maxLines - 1] + TextLayout.ellipsis, font: font, maxWidth: room)
            }
            lines.append(cell)
        }
        let lineCount = lines.map(\.count).max() ?? 1
        return LaidOutRow(kind: kind, lines: lines, font: font,
                          height: Double(max(1, lineCount)) * lineHeight + 2 * style.verticalPadding)
    }

    func layOutGroup(_ title: String, font: PDFFont) -> LaidOutRow {
        let text = TextLayout.truncate(title, font: font, maxWidth: right - left - 2 * style.horizontalPadding)
        return LaidOutRow(kind: .group, lines: [[text]], font: font,
                          height: lineHeight(font) + 2 * style.verticalPadding)
    }
}
