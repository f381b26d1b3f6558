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
        var isRead = [Bool](repeating: false, count: nodes.count)
        for node in nodes { for input in node.inputs { isRead[input.id] = true } }
        let targets = fetches.isEmpty ? nodes.filter { $0.frame == nil && !isRead[$0.id] } : fetches
        try Session.checkTopLevel(targets, fed: [])
        var program = try Program(graph: self, fetches: targets, fed: [])
        let passes: GraphOptimizer.Options? = optimized ? options : nil
        if let passes { GraphOptimizer.prepareForSession(&program, options: passes) }
        return try Graph.dot(program, title: optimized ? "optimized" : "graph", subPrograms: Graph.drawings(of: program, passes: passes))
    }

    /// The DOT text of a program. Each control-flow instruction is drawn as a node plus a frame
    /// (a cluster) holding its sub-graphs, each in its own cluster: values entering a sub-graph
    /// (loop variables, captures, replayed values) and results leaving it are dashed edges, and a
    /// loop's next-iteration edges run back from the body's results to its arguments.
    /// `subPrograms` gives the program drawn for each sub-graph of a control-flow instruction.
    static func dot(
        _ program: Program, title: String,
        subPrograms: (_ instruction: Int, _ subGraph: Int) throws(TandemError) -> SubGraphDrawing? = { _, _ in nil }
    ) throws(TandemError) -> String {
        var lines = ["digraph \"\(escapeDOT(title))\" {", "  rankdir=TB;", "  node [shape=box, fontname=\"Helvetica\", fontsize=10];"]
        try appendDOT(program, prefix: "n", indent: "  ", to: &lines, subPrograms: subPrograms)
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A sub-graph's program as drawn, with the nodes its argument instructions are fed by.
    struct SubGraphDrawing {
        let program: Program
        /// The drawings of the sub-graphs of its own control-flow instructions.
        let nested: (_ instruction: Int, _ subGraph: Int) throws(TandemError) -> SubGraphDrawing?
    }

    static func escapeDOT(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    private static func appendDOT(
        _ program: Program, prefix: String, indent: String, to lines: inout [String],
        subPrograms: (Int, Int) throws(TandemError) -> SubGraphDrawing?, within subGraph: SubGraph? = nil
    ) throws(TandemError) {
        let outputs = Set(program.outputs)
        for (i, instruction) in program.instructions.enumerated() {
            var what: String?
            if let subGraph, case .feed(let fed) = instruction.kind { what = feedDescription(fed, in: subGraph) }
            lines.append(indent + nodeStatement(
                instruction, id: "\(prefix)\(i)", isOutput: prefix == "n" && outputs.contains(i), what: what))
        }
        for (i, instruction) in program.instructions.enumerated() {
            for input in instruction.inputs { lines.append("\(indent)\(prefix)\(input) -> \(prefix)\(i);") }
        }
        for (i, instruction) in program.instructions.enumerated() {
            guard case .controlFlow(let flow) = instruction.kind else { continue }
            let origin = instruction.origin
            lines.append("\(indent)subgraph cluster_\(prefix)\(i) {")
            lines.append("\(indent)  label=\"\(escapeDOT("\(flow.construct.rawValue) '\(origin.name)'\(lineSuffix(origin))"))\";")
            lines.append("\(indent)  style=\"rounded\"; color=\"#7c3aed\"; fontname=\"Helvetica\"; fontsize=10;")
            for (k, subGraph) in flow.subGraphs.enumerated() {
                guard let drawing = try subPrograms(i, k) else { continue }
                let inner = "\(prefix)\(i)_\(k)_"
                lines.append("\(indent)  subgraph cluster_\(inner.dropLast()) {")
                lines.append("\(indent)    label=\"\(subGraph.role.rawValue)\"; style=\"dashed\"; color=\"#a78bfa\";")
                try appendDOT(
                    drawing.program, prefix: inner, indent: indent + "    ", to: &lines, subPrograms: drawing.nested, within: subGraph)
                lines.append("\(indent)  }")
                // Values entering the sub-graph, results leaving it, and a loop's next iteration.
                for (j, sub) in drawing.program.instructions.enumerated() {
                    guard case .feed(let fed) = sub.kind, let source = source(of: fed, in: subGraph, of: flow, instruction)
                    else { continue }
                    lines.append("\(indent)\(prefix)\(source) -> \(inner)\(j) [style=dashed];")
                }
                for output in drawing.program.outputs.prefix(subGraph.results.count) {
                    lines.append("\(indent)\(inner)\(output) -> \(prefix)\(i) [style=dashed];")
                }
                if flow.construct == .whileLoop && subGraph.role == .body {
                    for (j, sub) in drawing.program.instructions.enumerated() {
                        guard case .feed(let fed) = sub.kind, case .argument(let a) = fed.kind, fed.frame === subGraph,
                              a < drawing.program.outputs.count else { continue }
                        lines.append("\(indent)\(inner)\(drawing.program.outputs[a]) -> \(inner)\(j) "
                                     + "[style=dashed, constraint=false, color=\"#7c3aed\", label=\"next\"];")
                    }
                }
            }
            lines.append("\(indent)}")
        }
    }

    /// The instruction (of the program holding the control-flow instruction) whose value a
    /// sub-graph's fed node receives: an initial loop value or incoming gradient, a capture, or
    /// for a replayed value the forward control-flow node whose record holds it.
    private static func source(
        of fed: Node, in subGraph: SubGraph, of flow: ControlFlow, _ instruction: Program.Instruction
    ) -> Int? {
        if let a = subGraph.arguments.firstIndex(of: fed) {
            switch flow.construct {
            case .whileLoop: return instruction.inputs[a]
            case .condGradient, .whileGradient: return instruction.inputs[1 + a]
            case .cond: return nil
            }
        }
        if let c = instruction.origin.inputs[flow.leadingInputCount...].firstIndex(of: fed) { return instruction.inputs[c] }
        if subGraph.saved.contains(fed) { return instruction.inputs[0] }
        return nil
    }

    /// What a value entering a sub-graph is: `loop_variable_1`, `gradient_0`, `captured variable`,
    /// `replayed loop_variable_1` (a forward value read back from the record).
    private static func feedDescription(_ fed: Node, in subGraph: SubGraph) -> String {
        let short = fed.name.split(separator: "/").last.map(String.init) ?? fed.name
        if subGraph.arguments.contains(fed) { return short }
        if subGraph.saved.contains(fed) { return "replayed \(short)" }
        return "captured \(fed.kindName)"
    }

    private static func lineSuffix(_ node: Node) -> String {
        node.location.map { " (\($0.file.split(separator: "/").last.map(String.init) ?? $0.file):\($0.line))" } ?? ""
    }

    private static func nodeStatement(_ instruction: Program.Instruction, id: String, isOutput: Bool, what override: String?) -> String {
        var what: String
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
        case .controlFlow(let flow): what = flow.construct.rawValue
        case .output(let index): what = "output \(index)"
        }
        what = override ?? what
        let origin = instruction.origin
        let shape = formatShape(instruction.shape.map { $0 == unknownDim ? nil : $0 })
        let line = origin.location.map { "\($0.file.split(separator: "/").last.map(String.init) ?? $0.file):\($0.line)" }
            ?? "operator"
        let label = "\(origin.name)\\n\(escapeDOT(what))\\n\(shape)\\n\(escapeDOT(line))"
        var style = ""
        switch instruction.kind {
        case .feed: style = ", style=filled, fillcolor=\"#dbeafe\""
        case .variable: style = ", style=filled, fillcolor=\"#dcfce7\""
        case .constant: style = ", style=filled, fillcolor=\"#f3f4f6\""
        case .update, .productUpdate, .initializer, .assign, .group, .print, .incrementGlobalStep: style = ", style=filled, fillcolor=\"#fee2e2\""
        case .custom, .fusedCustom, .slice: style = ", style=filled, fillcolor=\"#ede9fe\""
        case .controlFlow, .output: style = ", style=filled, fillcolor=\"#e0e7ff\""
        case .training: break
        case .op(let op):
            if case .linear = op { style = ", style=filled, fillcolor=\"#fef3c7\"" }
            if case .fusedElementwise = op { style = ", style=filled, fillcolor=\"#fef3c7\"" }
        }
        if isOutput { style += ", penwidth=2" }
        return "\(id) [label=\"\(label)\"\(style)];"
    }
}

extension Session {
    /// The program this session runs for `fetches`, after optimisation, in Graphviz DOT.
    ///
    /// - Parameters:
    ///   - fetches: the nodes the plan computes.
    ///   - feedKeys: the nodes the runs feed (a different set compiles a different plan).
    public func dot(fetches: [Node], feedKeys: [Node] = []) throws -> String {
        let plan = try plan(for: fetches, fed: feedKeys)
        return try Graph.dot(plan.program, title: "session", subPrograms: Graph.drawings(of: plan))
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

    /// The names of every kernel the compiled plan for `fetches` calls, in order: the primitives
    /// of ``plannedOps(fetches:feedKeys:)`` and the effects too (each variable's optimizer
    /// update, named `Momentum_update`, or `Momentum_update(matmul)` when the update computes
    /// its weight gradient's matrix product itself; assignments, custom kernels, control flow).
    /// Feeds, variables, constants and groups, which compute nothing, are left out.
    ///
    /// - Parameters:
    ///   - fetches: the nodes the plan computes.
    ///   - feedKeys: the nodes the runs feed.
    public func plannedKernels(fetches: [Node], feedKeys: [Node] = []) throws -> [String] {
        try optimizedProgram(for: fetches, fed: feedKeys).instructions.compactMap { instruction in
            switch instruction.kind {
            case .op(let op): return op.name
            case .update(let update, _, _): return "\(update.optimizerName)_update"
            case .productUpdate(let update, _, _): return "\(update.optimizerName)_update(matmul)"
            case .assign: return "assign"
            case .print: return "print"
            case .initializer: return "initialize"
            case .custom(let kernel): return kernel.name
            case .fusedCustom(let kernel, let members): return "\(kernel.name)(x\(members.count))"
            case .training: return "training_value"
            case .incrementGlobalStep: return "increment_global_step"
            case .controlFlow: return "control_flow"
            case .feed, .variable, .constant, .group, .slice, .output: return nil
            }
        }
    }
}
