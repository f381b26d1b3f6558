extension Graph {
    /// The graph in Graphviz DOT, nodes labelled with op, static shape and source line
    /// (`dot -Tsvg graph.dot > graph.svg`).
    ///
    /// - Parameters:
    ///   - fetches: draw only what these need (every node when empty).
    ///   - optimized: draw the graph after the optimisation passes, as a session runs it.
    ///   - options: the passes to apply when `optimized` (default: all).
    public func dot(
        fetches: [Node] = [], optimized: Bool = false, options: GraphOptimizer.Options = .all
    ) throws -> String {
        let targets = fetches.isEmpty ? nodes.filter { node in !nodes.contains { $0.inputs.contains(node) } } : fetches
        var program = try Program(graph: self, fetches: targets, fed: [])
        if optimized { GraphOptimizer.prepareForSession(&program, options: options) }
        return Graph.dot(program, title: optimized ? "optimized" : "graph")
    }

    static func dot(_ program: Program, title: String) -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
        var lines = ["digraph \"\(title)\" {", "  rankdir=TB;", "  node [shape=box, fontname=\"Helvetica\", fontsize=10];"]
        let outputs = Set(program.outputs)
        for (i, instruction) in program.instructions.enumerated() {
            let what: String
            switch instruction.kind {
            case .op(let op): what = op.description
            case .feed(let node): what = node.kindName
            case .constant: what = "constant"
            case .variable: what = "variable"
            case .print: what = "print"
            case .initializer: what = "init"
            case .update(let update, _, let part): what = update.optimizerName + (part.map { " (variable \($0))" } ?? "")
            case .productUpdate(let update, _, let part): what = update.optimizerName + " (variable \(part), gradient a·b fused)"
            case .assign(let variable): what = "assign to '\(instruction.origin.graph.variables[variable].name)'"
            case .group: what = "group"
            case .custom(let kernel): what = kernel.name
            case .fusedCustom(let kernel, let members): what = "\(kernel.name) (\(members.count) fused)"
            case .slice(let offset): what = "slice from \(offset)"
            case .training(let function): what = function.name
            case .incrementGlobalStep: what = "increment global step"
            }
            let origin = instruction.origin
            let shape = formatShape(instruction.shape.map { $0 == unknownDim ? nil : $0 })
            let line = origin.location.map { "\($0.file.split(separator: "/").last.map(String.init) ?? $0.file):\($0.line)" }
                ?? "operator"
            let label = "\(origin.name)\\n\(escape(what))\\n\(shape)\\n\(escape(line))"
            var style = ""
            switch instruction.kind {
            case .feed: style = ", style=filled, fillcolor=\"#dbeafe\""
            case .variable: style = ", style=filled, fillcolor=\"#dcfce7\""
            case .constant: style = ", style=filled, fillcolor=\"#f3f4f6\""
            case .update, .productUpdate, .initializer, .assign, .group, .print, .incrementGlobalStep: style = ", style=filled, fillcolor=\"#fee2e2\""
            case .training: break
            case .custom, .fusedCustom, .slice: style = ", style=filled, fillcolor=\"#ede9fe\""
            case .op(let op):
                if case .linear = op { style = ", style=filled, fillcolor=\"#fef3c7\"" }
                if case .fusedElementwise = op { style = ", style=filled, fillcolor=\"#fef3c7\"" }
            }
            if outputs.contains(i) { style += ", penwidth=2" }
            lines.append("  n\(i) [label=\"\(label)\"\(style)];")
        }
        for (i, instruction) in program.instructions.enumerated() {
            for input in instruction.inputs { lines.append("  n\(input) -> n\(i);") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Session {
    /// The program this session runs for `fetches`, after optimisation, in Graphviz DOT.
    ///
    /// - Parameters:
    ///   - fetches: the nodes the plan computes.
    ///   - feedKeys: the nodes the runs feed (a different set compiles a different plan).
    public func dot(fetches: [Node], feedKeys: [Node] = []) throws -> String {
        Graph.dot(try optimizedProgram(for: fetches, fed: feedKeys), title: "session")
    }

    /// How many steps the compiled plan for `fetches` executes (after optimisation).
    ///
    /// - Parameters:
    ///   - fetches: the nodes the plan computes.
    ///   - feedKeys: the nodes the runs feed.
    public func stepCount(fetches: [Node], feedKeys: [Node] = []) throws -> Int {
        try optimizedProgram(for: fetches, fed: feedKeys).instructions.count
    }

    /// The ops the compiled plan for `fetches` executes, in order (for tests and tutorials).
    ///
    /// - Parameters:
    ///   - fetches: the nodes the plan computes.
    ///   - feedKeys: the nodes the runs feed.
    public func plannedOps(fetches: [Node], feedKeys: [Node] = []) throws -> [Op] {
        try optimizedProgram(for: fetches, fed: feedKeys).instructions.compactMap(\.op)
    }
}
