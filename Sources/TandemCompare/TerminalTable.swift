/// A plain-text table with aligned columns and box-drawing rules, for terminal output.
///
/// ```swift
/// var table = TerminalTable(["frontend", "ms/step"], alignRight: [false, true])
/// table.append(["eager", "4.10"])
/// print(table.render())
/// ```
public struct TerminalTable {
    /// Column headings.
    public var headers: [String]
    /// Data rows (each as long as `headers`; short rows are padded).
    public var rows: [[String]] = []
    /// Whether each column is right-aligned (numbers); missing entries mean left-aligned.
    public var alignRight: [Bool]
    /// An optional title printed above the table.
    public var title: String?

    /// Creates an empty table.
    public init(_ headers: [String], alignRight: [Bool] = [], title: String? = nil) {
        self.headers = headers
        self.alignRight = alignRight
        self.title = title
    }

    /// Adds a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as text, one line per row, ending with a newline.
    public func render() -> String {
        let columns = headers.count
        let padded = rows.map { row in (0..<columns).map { $0 < row.count ? row[$0] : "" } }
        var widths = headers.map(\.count)
        for row in padded { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        func line(_ cells: [String]) -> String {
            let parts = cells.enumerated().map { c, cell -> String in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                let right = c < alignRight.count && alignRight[c]
                return right ? pad + cell : cell + pad
            }
            return "│ " + parts.joined(separator: " │ ") + " │"
        }
        func rule(_ left: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right
        }
        var out = ""
        if let title { out += title + "\n" }
        out += rule("┌", "┬", "┐") + "\n" + line(headers) + "\n" + rule("├", "┼", "┤") + "\n"
        for row in padded { out += line(row) + "\n" }
        out += rule("└", "┴", "┘") + "\n"
        return out
    }
}
