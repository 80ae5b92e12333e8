import Foundation
import Models
import Runtime

/// Bar charts drawn on the server as inline SVG (no scripts, no external resources). Colours and
/// sizes are presentation attributes, so the page's Content-Security-Policy needs no inline styles.
/// Each chart is an accessible image: `role="img"` with a `<title>` and a `<desc>` listing the values.
enum SVGChart {
    struct Bar {
        let label: String
        let value: Money
    }

    struct Series {
        let name: String
        let colour: String
    }

    static let palette = ["#1351b4", "#168821", "#e52207", "#ffcd07", "#5e2a8c"]

    /// Horizontal bars, one per value (the funnel).
    static func horizontalBars(id: String, title: String, bars: [Bar]) -> String {
        let width = 820, labelWidth = 290, valueWidth = 140, barHeight = 34, gap = 14, top = 10
        let plotWidth = width - labelWidth - valueWidth
        let height = top * 2 + bars.count * (barHeight + gap)
        let maximum = max(bars.map(\.value.centavos).max() ?? 0, 1)
        var svg = header(id: id, width: width, height: height, title: title,
                         description: bars.map { "\($0.label): \($0.value.formatted)" }.joined(separator: "; "))
        for (index, bar) in bars.enumerated() {
            let y = top + index * (barHeight + gap)
            let length = Int(max(bar.value.centavos, 0) * Int64(plotWidth) / maximum)
            svg += """
                <text x="\(labelWidth - 8)" y="\(y + barHeight / 2 + 5)" text-anchor="end" font-size="14" fill="#1b1b1b">\(HTML.escape(bar.label))</text>
                <rect x="\(labelWidth)" y="\(y)" width="\(max(length, 1))" height="\(barHeight)" fill="\(palette[index % palette.count])"><title>\(HTML.escape(bar.label)): \(bar.value.formatted)</title></rect>
                <text x="\(labelWidth + max(length, 1) + 6)" y="\(y + barHeight / 2 + 5)" font-size="13" fill="#1b1b1b">\(bar.value.formatted)</text>

                """
        }
        return svg + "</svg>"
    }

    /// Vertical grouped bars: one group per label (month), one bar per series.
    static func groupedColumns(id: String, title: String, series: [Series], groups: [(label: String, values: [Money])]) -> String {
        let left = 110, bottom = 60, top = 16, plotHeight = 240, barWidth = 22, groupGap = 26
        let groupWidth = series.count * barWidth + groupGap
        let width = max(left + groups.count * groupWidth + 20, left + series.count * 180)
        let height = top + plotHeight + bottom
        let maximum = max(groups.flatMap { $0.values.map(\.centavos) }.max() ?? 0, 1)
        let description = groups.map { group in
            group.label + ": " + zip(series, group.values).map { "\($0.name) \($1.formatted)" }.joined(separator: ", ")
        }.joined(separator: "; ")
        var svg = header(id: id, width: width, height: height, title: title, description: description)
        // Axis with the maximum and half of it.
        for fraction in [2, 1] {
            let value = Money(centavos: maximum * Int64(fraction) / 2)
            let y = top + plotHeight - plotHeight * fraction / 2
            svg += """
                <line x1="\(left)" y1="\(y)" x2="\(width - 10)" y2="\(y)" stroke="#cccccc" stroke-width="1"/>
                <text x="\(left - 6)" y="\(y + 4)" text-anchor="end" font-size="11" fill="#333333">\(value.formatted)</text>

                """
        }
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - 10)\" y2=\"\(top + plotHeight)\" stroke=\"#1b1b1b\" stroke-width=\"1\"/>\n"
        for (groupIndex, group) in groups.enumerated() {
            let groupX = left + 10 + groupIndex * groupWidth
            for (seriesIndex, value) in group.values.enumerated() where seriesIndex < series.count {
                let barHeight = Int(max(value.centavos, 0) * Int64(plotHeight) / maximum)
                let x = groupX + seriesIndex * barWidth
                svg += "<rect x=\"\(x)\" y=\"\(top + plotHeight - barHeight)\" width=\"\(barWidth - 2)\" height=\"\(barHeight)\" "
                    + "fill=\"\(series[seriesIndex].colour)\"><title>\(HTML.escape(group.label)) - "
                    + "\(HTML.escape(series[seriesIndex].name)): \(value.formatted)</title></rect>\n"
            }
            svg += "<text x=\"\(groupX + series.count * barWidth / 2)\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\" "
                + "font-size=\"12\" fill=\"#1b1b1b\">\(HTML.escape(group.label))</text>\n"
        }
        // Legend.
        for (index, item) in series.enumerated() {
            let x = left + index * 180
            svg += """
                <rect x="\(x)" y="\(top + plotHeight + 34)" width="14" height="14" fill="\(item.colour)"/>
                <text x="\(x + 20)" y="\(top + plotHeight + 46)" font-size="12" fill="#1b1b1b">\(HTML.escape(item.name))</text>

                """
        }
        return svg + "</svg>"
    }

    private static func header(id: String, width: Int, height: Int, title: String, description: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" id="\(id)" class="grafico" role="img" viewBox="0 0 \(width) \(height)" \
        width="\(width)" height="\(height)" aria-labelledby="\(id)-titulo \(id)-descricao">
        <title id="\(id)-titulo">\(HTML.escape(title))</title>
        <desc id="\(id)-descricao">\(HTML.escape(description))</desc>

        """
    }
}
