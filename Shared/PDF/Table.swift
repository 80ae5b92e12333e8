/// A table: column specs, body rows (with optional group rows) and total rows. Laid out by
/// `PDFDocumentBuilder.table(_:)`, which breaks it across pages and repeats the header row.
public struct PDFTable: Sendable {
    public enum Alignment: Sendable { case left, right, center }

    /// What happens to text wider than its cell.
    public enum Overflow: Sendable {
        /// Wrap onto more lines (the row grows).
        case wrap
        /// Keep one line, cut with "…".
        case truncate
    }

    /// A column's width: fixed points, or a share of the width the fixed columns leave.
    public enum Width: Sendable {
        case fixed(Double)
        case flexible(Double)
    }

    public struct Column: Sendable {
        public var title: String
        public var width: Width
        public var alignment: Alignment
        public var overflow: Overflow

        public init(_ title: String, width: Width = .flexible(1), alignment: Alignment = .left, overflow: Overflow = .wrap) {
            self.title = title
            self.width = width
            self.alignment = alignment
            self.overflow = overflow
        }
    }

    public enum Row: Sendable {
        /// An ordinary row, one text per column (missing cells are blank).
        case cells([String])
        /// A section title spanning the whole table (e.g. a state), shaded and bold.
        case group(String)
        /// A bold, shaded row (e.g. a subtotal) inside the body.
        case total([String])
    }

    public var columns: [Column]
    public var rows: [Row]
    /// Bold rows after the body, under a rule (e.g. "Total geral").
    public var totals: [[String]]

    public init(columns: [Column], rows: [Row], totals: [[String]] = []) {
        self.columns = columns
        self.rows = rows
        self.totals = totals
    }

    /// Convenience for tables without group rows.
    public init(columns: [Column], cells: [[String]], totals: [[String]] = []) {
        self.init(columns: columns, rows: cells.map(Row.cells), totals: totals)
    }

    /// Each column's width for a table `available` points wide: fixed columns get their width, the
    /// flexible ones share what is left in proportion to their shares (never below zero).
    public func columnWidths(available: Double) -> [Double] {
        var fixedTotal = 0.0, shareTotal = 0.0
        for column in columns {
            switch column.width {
            case .fixed(let points): fixedTotal += points
            case .flexible(let share): shareTotal += max(0, share)
            }
        }
        let remaining = max(0, available - fixedTotal)
        return columns.map { column in
            switch column.width {
            case .fixed(let points): return points
            case .flexible(let share): return shareTotal > 0 ? remaining * max(0, share) / shareTotal : 0
            }
        }
    }
}
