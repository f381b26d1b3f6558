import Foundation

/// Drawing pictures with frames (a loop and its condition and body, a cond and its branches):
/// each frame is a vertical band of its own, its boxes in rows by depth, the bands of the frames
/// inside it placed to the right of its own boxes, so frames never overlap and their boxes stay
/// inside them. Rows are shared by every band, so data still flows downwards.
extension GraphLayout {
    /// The style rules of graph pictures (used by the HTML report and by standalone SVG files).
    public static let css = """
        svg.graph .edge{fill:none;stroke:#adb5bd;stroke-width:1.2}svg.graph .edge.loop{stroke:#7c3aed;stroke-dasharray:4 3}
        svg.graph rect{stroke:#868e96;fill:#fff}svg.graph rect.frame{fill:none;stroke:#a78bfa;stroke-dasharray:5 3}
        svg.graph rect.frame.outer{stroke:#7c3aed;stroke-dasharray:none}svg.graph .frame-label{font-size:11px;fill:#6d28d9}
        svg.graph .input rect{fill:#fff3bf}svg.graph .variable rect{fill:#d0ebff}svg.graph .constant rect{fill:#f1f3f5}svg.graph .fused rect{fill:#d3f9d8;stroke:#2b8a3e}svg.graph .effect rect{fill:#ffe3e3}
        svg.graph .control rect{fill:#e0e7ff;stroke:#7c3aed}
        svg.graph .op{font-size:11px;font-weight:600;fill:#212529}svg.graph .meta{font-size:10px;fill:#495057}
        svg.graph text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}svg.graph .title{font-size:14px;font-weight:600;fill:#212529}
        """

    /// A complete SVG document (with its own style rules) of a picture, to save as a `.svg` file.
    ///
    /// - Parameters:
    ///   - picture: the graph.
    ///   - title: a heading drawn above it.
    public static func standaloneSVG(_ picture: GraphPicture, title: String) -> String {
        let body = svg(picture, title: title)
        guard let close = body.firstIndex(of: ">") else { return body }
        let open = body[...close].replacingOccurrences(of: "<svg ", with: "<svg xmlns=\"http://www.w3.org/2000/svg\" ")
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open + "\n<style>\(css)</style>" + body[body.index(after: close)...]
    }

    static let framePadding = 12.0
    static let frameLabelHeight = 16.0

    /// The layout of a picture with clusters (see the extension's overview).
    static func clusteredSVG(_ picture: GraphPicture, title: String) -> String {
        let depth = depths(picture)
        let rowCount = (depth.max() ?? -1) + 1
        let clusterCount = picture.clusters.count
        // Band 0 is the top level; band c + 1 is cluster c.
        func band(_ node: GraphPicture.Node) -> Int { node.cluster.map { $0 + 1 } ?? 0 }
        func parentBand(_ b: Int) -> Int? { b == 0 ? nil : picture.clusters[b - 1].parent.map { $0 + 1 } ?? 0 }
        var children = [[Int]](repeating: [], count: clusterCount + 1)
        for b in 1..<(clusterCount + 1) { children[parentBand(b)!].append(b) }
        var members = [[[Int]]](repeating: [[Int]](repeating: [], count: rowCount), count: clusterCount + 1)
        for (i, node) in picture.nodes.enumerated() { members[band(node)][depth[i]].append(i) }

        // Widths, bottom up: a band's own columns, then its children side by side.
        let column = boxWidth + gapX
        var ownWidth = [Double](repeating: 0, count: clusterCount + 1)
        var width = [Double](repeating: 0, count: clusterCount + 1)
        func measure(_ b: Int) {
            let columns = Double(members[b].map(\.count).max() ?? 0)
            ownWidth[b] = columns * column
            for child in children[b] { measure(child) }
            let inner = ownWidth[b] + children[b].reduce(0) { $0 + width[$1] + gapX }
            width[b] = b == 0 ? inner : Swift.max(inner, 140) + 2 * framePadding
        }
        measure(0)
        var left = [Double](repeating: 0, count: clusterCount + 1)
        func place(_ b: Int, at x: Double) {
            left[b] = x
            var next = x + (b == 0 ? 0 : framePadding) + ownWidth[b] + (ownWidth[b] > 0 ? gapX : 0)
            for child in children[b] {
                place(child, at: next)
                next += width[child] + gapX
            }
        }
        place(0, at: gapX)

        let maxLines = picture.nodes.map { Swift.min($0.lines.count, 3) }.max() ?? 1
        let boxHeight = Double(maxLines) * lineHeight + 10
        let rowHeight = boxHeight + gapY + frameLabelHeight
        let top = 40 + frameLabelHeight * Double(nestingDepth(picture))
        var center = [(x: Double, y: Double)](repeating: (0, 0), count: picture.nodes.count)
        for r in 0..<rowCount {
            for b in 0...clusterCount {
                // Within a band's row, boxes follow the mean position of their inputs.
                let row = members[b][r].sorted { p, q in
                    let kp = meanX(picture.nodes[p].inputs, center), kq = meanX(picture.nodes[q].inputs, center)
                    return kp == kq ? p < q : kp < kq
                }
                for (c, i) in row.enumerated() {
                    let x = left[b] + (b == 0 ? 0 : framePadding) + Double(c) * column + boxWidth / 2
                    center[i] = (x, top + Double(r) * rowHeight + boxHeight / 2)
                }
            }
        }
        let totalWidth = Swift.max(width[0] + 2 * gapX, 320)
        let height = top + Double(rowCount) * rowHeight + 20

        var svg = String(format: "<svg class=\"graph\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
            totalWidth, height, totalWidth, height)
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += SVGPlot.text(10, 22, title, anchor: "start", cls: "title")
        // Frames, outer first, spanning the rows of every box inside them.
        for b in 1..<(clusterCount + 1) {
            let inside = picture.nodes.indices.filter { isInside(picture.nodes[$0].cluster, b - 1, picture) }
            guard let minRow = inside.map({ depth[$0] }).min(), let maxRow = inside.map({ depth[$0] }).max() else { continue }
            let nesting = Double(nesting(of: b - 1, picture))
            let y0 = top + Double(minRow) * rowHeight - frameLabelHeight * (Double(levels(below: b - 1, picture)) + 1) - 4
            let y1 = top + Double(maxRow) * rowHeight + boxHeight + framePadding - nesting * 2
            let outer = picture.clusters[b - 1].parent == nil ? " outer" : ""
            svg += String(format: "<rect class=\"frame%@\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\"/>", outer,
                          left[b], y0, width[b], y1 - y0)
            svg += SVGPlot.text(left[b] + 8, y0 + 13, shorten(picture.clusters[b - 1].label, to: Int(width[b] / 6.5)),
                                anchor: "start", cls: "frame-label") + "\n"
        }
        for (i, node) in picture.nodes.enumerated() {
            for input in node.inputs where input >= 0 && input < picture.nodes.count {
                let from = center[input], to = center[i]
                let y0 = from.y + boxHeight / 2, y1 = to.y - boxHeight / 2
                let bend = Swift.max((y1 - y0) / 2, 12)
                svg += String(format: "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" class=\"edge\"/>\n",
                    from.x, y0, from.x, y0 + bend, to.x, y1 - bend, to.x, y1)
            }
            // Next-iteration edges leave the result's right side and come back into the argument.
            for input in node.loopInputs where input >= 0 && input < picture.nodes.count {
                let from = center[input], to = center[i]
                let x0 = from.x + boxWidth / 2, x1 = to.x + boxWidth / 2, reach = Swift.max(x0, x1) + gapX * 1.5
                svg += String(format: "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" class=\"edge loop\"/>\n",
                    x0, from.y, reach, from.y, reach, to.y, x1, to.y)
            }
        }
        for (i, node) in picture.nodes.enumerated() {
            svg += box(node, center: center[i], height: boxHeight)
        }
        return svg + "</svg>"
    }

    /// One box with up to three lines of text.
    static func box(_ node: GraphPicture.Node, center: (x: Double, y: Double), height boxHeight: Double) -> String {
        let (x, y) = center
        var svg = String(format: "<g class=\"node %@\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"5\"/>",
            node.kind.rawValue, x - boxWidth / 2, y - boxHeight / 2, boxWidth, boxHeight)
        svg += "<title>\(SVGPlot.escape(node.lines.joined(separator: "\n")))</title>"
        for (l, line) in node.lines.prefix(3).enumerated() {
            let ty = y - boxHeight / 2 + 5 + lineHeight * Double(l + 1) - 2
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"%@\">", x, ty, l == 0 ? "op" : "meta")
                + SVGPlot.escape(shorten(line, to: l == 0 ? 24 : 26)) + "</text>"
        }
        return svg + "</g>\n"
    }

    /// Whether a box in `cluster` lies inside frame `frame` (directly or in a frame within it).
    private static func isInside(_ cluster: Int?, _ frame: Int, _ picture: GraphPicture) -> Bool {
        var current = cluster
        while let c = current {
            if c == frame { return true }
            current = picture.clusters[c].parent
        }
        return false
    }

    /// How many frames enclose frame `c` (0 for a top-level frame).
    private static func nesting(of c: Int, _ picture: GraphPicture) -> Int {
        var depth = 0, current = picture.clusters[c].parent
        while let p = current {
            depth += 1
            current = picture.clusters[p].parent
        }
        return depth
    }

    /// How many levels of frames lie inside frame `c` (0 when none): each needs room for its label.
    private static func levels(below c: Int, _ picture: GraphPicture) -> Int {
        let inner = picture.clusters.indices.filter { picture.clusters[$0].parent == c }
        return inner.map { levels(below: $0, picture) + 1 }.max() ?? 0
    }

    /// The deepest nesting of frames in the picture.
    private static func nestingDepth(_ picture: GraphPicture) -> Int {
        picture.clusters.indices.map { nesting(of: $0, picture) + 1 }.max() ?? 0
    }

    private static func meanX(_ inputs: [Int], _ center: [(x: Double, y: Double)]) -> Double {
        let valid = inputs.filter { $0 >= 0 && $0 < center.count && center[$0].x > 0 }
        guard !valid.isEmpty else { return 0 }
        return valid.map { center[$0].x }.reduce(0, +) / Double(valid.count)
    }
}
