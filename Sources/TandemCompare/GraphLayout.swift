import Foundation

/// A drawable description of a computation graph: boxes with a few lines of text and the edges
/// between them. The graph frontend's graphs (before and after optimisation) are converted to this
/// and drawn by `GraphLayout`, so the drawing code knows nothing about `Graph` internals.
public struct GraphPicture: Equatable {
    /// What kind of box to draw (its colour).
    public enum Kind: String, Equatable {
        /// A placeholder (fed data).
        case input
        /// A variable (trained weights).
        case variable
        /// A constant.
        case constant
        /// A primitive op.
        case op
        /// An op made by a fusion pass.
        case fused
        /// A node run for its effect (an initializer, a variable update or train op, a print).
        case effect
        /// A control-flow node (a cond, a loop, their gradients) or one of its outputs.
        case control
    }

    /// A frame drawn around some boxes: a loop, a cond, or one of their sub-graphs.
    public struct Cluster: Equatable {
        /// The frame's title.
        public var label: String
        /// The enclosing frame (index into `clusters`), nil at the top level.
        public var parent: Int?

        /// Creates a frame.
        public init(label: String, parent: Int?) {
            self.label = label
            self.parent = parent
        }
    }

    /// One box.
    public struct Node: Equatable {
        /// The text lines: op, shape, source line.
        public var lines: [String]
        /// Indices (into `nodes`) of the boxes this one reads.
        public var inputs: [Int]
        /// The colour class.
        public var kind: Kind
        /// The innermost frame holding the box (index into `clusters`), nil at the top level.
        public var cluster: Int?
        /// Boxes this one reads on the next iteration of a loop (edges drawn back up, ignored
        /// by the layout).
        public var loopInputs: [Int]

        /// Creates a box.
        public init(lines: [String], inputs: [Int], kind: Kind, cluster: Int? = nil, loopInputs: [Int] = []) {
            self.lines = lines
            self.inputs = inputs
            self.kind = kind
            self.cluster = cluster
            self.loopInputs = loopInputs
        }
    }

    /// The boxes; inputs must refer to valid indices (cycles are broken arbitrarily).
    public var nodes: [Node]
    /// The frames (clusters of the DOT text), outer ones first.
    public var clusters: [Cluster]

    /// Creates a picture.
    public init(nodes: [Node], clusters: [Cluster] = []) {
        self.nodes = nodes
        self.clusters = clusters
    }

    /// Builds a picture from Graphviz DOT text of the simple form the graph frontend writes:
    /// `id [label="op\nshape\nFile.swift:12", ...];` lines for nodes, `a -> b;` lines for edges,
    /// and `subgraph cluster_x { label="..."; ... }` frames (an edge with `constraint=false` is a
    /// loop's next-iteration edge).
    public init(dot: String) {
        var index: [String: Int] = [:]
        var nodes: [Node] = []
        var clusters: [Cluster] = []
        var open: [Int] = []  // the frames whose closing brace has not come yet
        func id(_ raw: String) -> String {
            raw.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\";"))
        }
        func node(_ name: String) -> Int {
            if let existing = index[name] { return existing }
            index[name] = nodes.count
            nodes.append(Node(lines: [name], inputs: [], kind: .op))
            return nodes.count - 1
        }
        for rawLine in Self.statements(dot) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("subgraph") {
                clusters.append(Cluster(label: "", parent: open.last))
                open.append(clusters.count - 1)
                continue
            }
            if line.hasPrefix("}") {
                if !open.isEmpty { open.removeLast() }
                continue
            }
            if line.hasPrefix("label="), let frame = open.last, clusters[frame].label.isEmpty {
                clusters[frame].label = Self.attribute("label", in: line) ?? ""
                continue
            }
            if line.hasPrefix("digraph") || line.hasPrefix("graph ")
                || line.hasPrefix("node ") || line.hasPrefix("edge ") || line.hasPrefix("rankdir") || line.isEmpty
            {
                continue
            }
            if let arrow = line.range(of: "->") {
                let from = id(String(line[..<arrow.lowerBound]))
                var rest = String(line[arrow.upperBound...])
                if let bracket = rest.firstIndex(of: "[") { rest = String(rest[..<bracket]) }
                let to = id(rest)
                let a = node(from), b = node(to)
                if line.contains("constraint=false") { nodes[b].loopInputs.append(a) } else { nodes[b].inputs.append(a) }
                continue
            }
            guard let bracket = line.firstIndex(of: "[") else { continue }
            let name = id(String(line[..<bracket]))
            let i = node(name)
            nodes[i].cluster = open.last
            let attributes = String(line[bracket...])
            if let label = Self.attribute("label", in: attributes) {
                nodes[i].lines = label.components(separatedBy: "\\n").filter { !$0.isEmpty }
            }
            // The graph frontend labels nodes "name\nop\nshape\nFile.swift:LINE": draw the last three.
            if nodes[i].lines.count >= 4 { nodes[i].lines.removeFirst() }
            let fill = (Self.attribute("fillcolor", in: attributes) ?? "").lowercased()
            let shape = Self.attribute("shape", in: attributes) ?? ""
            let text = nodes[i].lines.joined(separator: " ").lowercased()
            switch fill {
            case "#dbeafe": nodes[i].kind = .input
            case "#dcfce7": nodes[i].kind = .variable
            case "#f3f4f6": nodes[i].kind = .constant
            case "#fee2e2": nodes[i].kind = .effect
            case "#fef3c7": nodes[i].kind = .fused
            case "#e0e7ff": nodes[i].kind = .control
            default:
                if text.hasPrefix("placeholder") || text.hasPrefix("labels") || shape == "invhouse" {
                    nodes[i].kind = .input
                } else if text.hasPrefix("variable") || shape == "cylinder" {
                    nodes[i].kind = .variable
                } else if text.hasPrefix("constant") {
                    nodes[i].kind = .constant
                } else if text.hasPrefix("fused") || text.hasPrefix("linear(") {
                    nodes[i].kind = .fused
                } else if text.hasPrefix("init") || text.hasPrefix("print") || text.hasPrefix("group") || text.contains("update") {
                    nodes[i].kind = .effect
                }
            }
        }
        self.nodes = nodes
        self.clusters = clusters
    }

    /// Splits DOT text into statements at newlines and at semicolons outside quoted strings.
    static func statements(_ dot: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false, escaped = false
        for c in dot {
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                quoted.toggle()
            } else if !quoted && (c == ";" || c == "\n") {
                result.append(current)
                current = ""
                continue
            }
            current.append(c)
        }
        result.append(current)
        return result
    }

    static func attribute(_ key: String, in text: String) -> String? {
        guard let start = text.range(of: key + "=\"") else {
            guard let bare = text.range(of: key + "=") else { return nil }
            let rest = text[bare.upperBound...]
            return String(rest.prefix { $0 != "," && $0 != "]" && $0 != " " })
        }
        var value = ""
        var escaped = false
        for c in text[start.upperBound...] {
            if escaped {
                value += c == "\"" ? "\"" : "\\" + String(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                break
            } else {
                value.append(c)
            }
        }
        return value
    }
}

/// A simple layered drawing of a `GraphPicture` as SVG: each node's row is its topological depth
/// (longest path from an input), nodes within a row are ordered by the mean position of their
/// inputs to reduce crossings, and edges are drawn as curves from a producer to its consumers.
public enum GraphLayout {
    static let boxWidth = 164.0
    static let lineHeight = 13.0
    static let gapX = 18.0
    static let gapY = 34.0

    /// The depth (row) of every node: 0 for nodes without inputs, else 1 + the deepest input.
    public static func depths(_ picture: GraphPicture) -> [Int] {
        var depth = [Int](repeating: -1, count: picture.nodes.count)
        var visiting = Set<Int>()
        func visit(_ i: Int) -> Int {
            if depth[i] >= 0 { return depth[i] }
            if visiting.contains(i) { return 0 }  // a cycle: break it here
            visiting.insert(i)
            var d = 0
            for input in picture.nodes[i].inputs where input >= 0 && input < picture.nodes.count {
                d = Swift.max(d, visit(input) + 1)
            }
            visiting.remove(i)
            depth[i] = d
            return d
        }
        for i in picture.nodes.indices { _ = visit(i) }
        // Sink each source (placeholder, variable, constant) to just above its first consumer, so
        // the top row is not a wide line of every weight in the model.
        var consumers = [[Int]](repeating: [], count: picture.nodes.count)
        for (i, node) in picture.nodes.enumerated() {
            for input in node.inputs where input >= 0 && input < picture.nodes.count { consumers[input].append(i) }
        }
        for (i, node) in picture.nodes.enumerated() where node.inputs.isEmpty {
            if let first = consumers[i].map({ depth[$0] }).min() { depth[i] = Swift.max(0, first - 1) }
        }
        return depth
    }

    /// Renders the picture as an `<svg>` element.
    ///
    /// - Parameters:
    ///   - picture: the graph.
    ///   - title: a heading drawn above it.
    public static func svg(_ picture: GraphPicture, title: String) -> String {
        if !picture.clusters.isEmpty { return clusteredSVG(picture, title: title) }
        let depth = depths(picture)
        let rowCount = (depth.max() ?? -1) + 1
        var rows = [[Int]](repeating: [], count: rowCount)
        for (i, d) in depth.enumerated() { rows[d].append(i) }
        // Order each row by the mean column of the inputs (one downward sweep).
        var column = [Double](repeating: 0, count: picture.nodes.count)
        for r in 0..<rowCount {
            if r > 0 {
                rows[r].sort { a, b in
                    let ka = meanColumn(picture.nodes[a].inputs, column), kb = meanColumn(picture.nodes[b].inputs, column)
                    return ka == kb ? a < b : ka < kb
                }
            }
            for (c, i) in rows[r].enumerated() { column[i] = Double(c) - Double(rows[r].count - 1) / 2 }
        }
        let maxLines = picture.nodes.map { Swift.min($0.lines.count, 3) }.max() ?? 1
        let boxHeight = Double(maxLines) * lineHeight + 10
        let widest = rows.map(\.count).max() ?? 1
        let width = Swift.max(Double(widest) * (boxWidth + gapX) + gapX, 320)
        let height = 40 + Double(rowCount) * (boxHeight + gapY)
        var center = [(x: Double, y: Double)](repeating: (0, 0), count: picture.nodes.count)
        for (r, row) in rows.enumerated() {
            let rowWidth = Double(row.count) * (boxWidth + gapX) - gapX
            let start = (width - rowWidth) / 2 + boxWidth / 2
            for (c, i) in row.enumerated() {
                center[i] = (start + Double(c) * (boxWidth + gapX), 40 + Double(r) * (boxHeight + gapY) + boxHeight / 2)
            }
        }

        var svg = String(format: "<svg class=\"graph\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
            width, height, width, height)
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += SVGPlot.text(10, 22, title, anchor: "start", cls: "title")
        for (i, node) in picture.nodes.enumerated() {
            for input in node.inputs where input >= 0 && input < picture.nodes.count {
                let from = center[input], to = center[i]
                let y0 = from.y + boxHeight / 2, y1 = to.y - boxHeight / 2
                let bend = Swift.max((y1 - y0) / 2, 12)
                svg += String(format: "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" class=\"edge\"/>\n",
                    from.x, y0, from.x, y0 + bend, to.x, y1 - bend, to.x, y1)
            }
        }
        for (i, node) in picture.nodes.enumerated() {
            let (x, y) = center[i]
            svg += String(format: "<g class=\"node %@\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"5\"/>",
                node.kind.rawValue, x - boxWidth / 2, y - boxHeight / 2, boxWidth, boxHeight)
            svg += "<title>\(SVGPlot.escape(node.lines.joined(separator: "\n")))</title>"
            for (l, line) in node.lines.prefix(3).enumerated() {
                let ty = y - boxHeight / 2 + 5 + lineHeight * Double(l + 1) - 2
                svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"%@\">", x, ty, l == 0 ? "op" : "meta")
                    + SVGPlot.escape(shorten(line, to: l == 0 ? 24 : 26)) + "</text>"
            }
            svg += "</g>\n"
        }
        return svg + "</svg>"
    }

    static func meanColumn(_ inputs: [Int], _ column: [Double]) -> Double {
        let valid = inputs.filter { $0 >= 0 && $0 < column.count }
        guard !valid.isEmpty else { return 0 }
        return valid.map { column[$0] }.reduce(0, +) / Double(valid.count)
    }

    static func shorten(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
