import Foundation

/// The replay's chart as SVG, drawn by hand (no dependencies): throughput over time per stage
/// (atendimentos per second between samples) on top, latency distributions (milliseconds per
/// percentile) below.
public enum ReplayChart {
    static let width = 900.0, panelHeight = 300.0, margin = 60.0
    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]

    /// The SVG document for `result`.
    public static func svg(_ result: ReplayResult) -> String {
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(2 * panelHeight + 3 * margin))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let stages: [(String, KeyPath<ReplayProbe.Snapshot, Int>)] = [
            ("recebidos (intake)", \.received), ("notificados (deadlines)", \.notified),
            ("finais (deadlines)", \.released), ("GRUs emitidas", \.grusIssued), ("GRUs no portal", \.grusVisible),
        ]
        var series: [(String, [(Double, Double)])] = []
        for (name, path) in stages {
            var points: [(Double, Double)] = []
            for (previous, sample) in zip(result.samples, result.samples.dropFirst()) {
                let dt = sample.seconds - previous.seconds
                guard dt > 0 else { continue }
                points.append((sample.seconds, Double(sample.counts[keyPath: path] - previous.counts[keyPath: path]) / dt))
            }
            series.append((name, points))
        }
        out += panel(title: "Vazão por etapa (itens/s) × tempo (s)", top: margin, series: series)
        let latency = result.latencies.map { path in (path.name, path.curve.map { ($0[0], $0[1]) }) }
        out += panel(title: "Latência (ms) × percentil", top: 2 * margin + panelHeight, series: latency)
        return out + "</svg>\n"
    }

    private static func panel(title: String, top: Double, series: [(String, [(Double, Double)])]) -> String {
        let xs = series.flatMap { $0.1.map(\.0) }, ys = series.flatMap { $0.1.map(\.1) }
        let maxX = max(xs.max() ?? 1, 1e-9), maxY = max(ys.max() ?? 1, 1e-9)
        let plotWidth = width - 2 * margin - 180, left = margin
        func x(_ v: Double) -> Double { left + v / maxX * plotWidth }
        func y(_ v: Double) -> Double { top + panelHeight - v / maxY * panelHeight }
        var out = "<text x=\"\(left)\" y=\"\(top - 10)\" font-size=\"14\">\(escape(title))</text>\n"
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#999\"/>\n"
        out += "<text x=\"\(left - 5)\" y=\"\(top + 10)\" text-anchor=\"end\">\(label(maxY))</text>\n"
        out += "<text x=\"\(left - 5)\" y=\"\(top + panelHeight)\" text-anchor=\"end\">0</text>\n"
        out += "<text x=\"\(left + plotWidth)\" y=\"\(top + panelHeight + 15)\" text-anchor=\"end\">\(label(maxX))</text>\n"
        for (index, (name, points)) in series.enumerated() {
            let color = colors[index % colors.count]
            if !points.isEmpty {
                let coordinates = points.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(coordinates)\"/>\n"
            }
            let legendY = top + 15 + Double(index) * 18
            out += "<rect x=\"\(left + plotWidth + 15)\" y=\"\(legendY - 9)\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            out += "<text x=\"\(left + plotWidth + 30)\" y=\"\(legendY)\">\(escape(name))</text>\n"
        }
        return out
    }

    private static func label(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
