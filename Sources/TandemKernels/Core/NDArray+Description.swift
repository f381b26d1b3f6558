import Foundation

extension NDArray {
    /// Prints like PyTorch: nested brackets, 4 decimals (or `1.` style when every value is whole),
    /// and, above 1000 elements, only the first and last 3 entries of each dimension.
    ///
    /// ```
    /// [[1., 2., 3.],
    ///  [4., 5., 6.]], shape [2, 3]
    /// ```
    public var description: String {
        let values = scalars
        let summarize = values.count > 1000
        let finite = values.filter { $0.isFinite }
        let allWhole = finite.allSatisfy { $0 == $0.rounded() && abs($0) < 1e8 }
        let useScientific = !allWhole && finite.contains { abs($0) >= 1e8 || ($0 != 0 && abs($0) < 1e-4) }
        func format(_ value: Float) -> String {
            if value.isNaN { return "nan" }
            if value.isInfinite { return value > 0 ? "inf" : "-inf" }
            if allWhole { return String(format: "%.0f.", value) }
            if useScientific { return String(format: "%.4e", value) }
            return String(format: "%.4f", value)
        }
        let cells = values.map(format)
        let width = cells.map(\.count).max() ?? 0
        func pad(_ text: String) -> String { String(repeating: " ", count: width - text.count) + text }

        let strides = contiguousStrides(shape)
        func render(_ axis: Int, _ base: Int, _ indent: Int) -> String {
            if axis == shape.count { return pad(cells[base]) }
            let size = shape[axis]
            var indices = Array(0..<size)
            var elided = false
            if summarize && size > 6 {
                indices = [0, 1, 2, size - 3, size - 2, size - 1]
                elided = true
            }
            let isLast = axis == shape.count - 1
            let separator = isLast ? ", " : "," + String(repeating: "\n", count: shape.count - axis - 1)
                + String(repeating: " ", count: indent + 1)
            var parts = indices.map { render(axis + 1, base + $0 * strides[axis], indent + 1) }
            if elided { parts.insert("...", at: 3) }
            return "[" + parts.joined(separator: separator) + "]"
        }
        let body = shape.isEmpty ? cells.first ?? "" : render(0, 0, 0)
        return shape.isEmpty ? "\(body)" : "\(body), shape \(formatShape(shape))"
    }
}
