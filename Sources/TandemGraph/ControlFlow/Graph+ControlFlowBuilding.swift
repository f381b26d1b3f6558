/// Building sub-graphs: where new nodes go while a branch or loop body is being built, and which
/// outside values a node inside may read.
extension Graph {
    /// Node kinds that always join the top level, even when created inside a branch or body:
    /// sources a session feeds or holds (a placeholder or variable made inside a loop body is
    /// still one placeholder or variable, which the body captures).
    static func joinsTopLevel(_ kind: Node.Kind) -> Bool {
        switch kind {
        case .placeholder, .labelsPlaceholder, .variable, .initializer: return true
        case .constant, .primitive, .print, .identity, .update, .assign, .training, .group, .custom, .controlFlow, .output,
             .argument:
            return false
        }
    }

    /// Checks that a node of `kind` may be built in `frame` (a train op may not: it would update
    /// variables once per iteration, or only in one branch) and may read `inputs` there.
    func admit(
        _ kind: Node.Kind, _ inputs: [Node], into frame: SubGraph?, reader: String, at location: SourceLocation?
    ) -> TandemError? {
        if let frame {
            switch kind {
            case .update:
                return .graph(
                    node: reader,
                    reason: "a train op cannot be built inside the \(frame); build it outside, from the loss that uses "
                        + "the cond's or loop's outputs",
                    location: location)
            case .assign:
                // An update op runs when fetched with the train op; inside a sub-graph it could not
                // be fetched, and in a loop it would write the variable once per iteration.
                return .graph(
                    node: reader,
                    reason: "an assign (such as batch norm's running-statistics update) cannot be built inside the "
                        + "\(frame); compute the statistics inside, return them, and assign outside",
                    location: location)
            case .placeholder, .labelsPlaceholder, .constant, .variable, .primitive, .print, .identity, .initializer,
                 .training, .group, .custom, .controlFlow, .output, .argument:
                break
            }
        }
        return admit(inputs, into: frame, reader: reader, at: location)
    }

    /// Checks that a node being added to `frame` may read `inputs`, recording each outside read:
    /// a capture (from an enclosing sub-graph or the top level) or a saved value (from the
    /// forward sub-graph of a backward one). Returns the error for a read of a value that does
    /// not exist where the node runs: a node from inside some other branch or body.
    func admit(_ inputs: [Node], into frame: SubGraph?, reader: String, at location: SourceLocation?) -> TandemError? {
        for input in inputs where input.belongs(to: self) && input.frame !== frame {
            if let frame {
                if let forward = frame.forward, input.frame === forward {
                    frame.recordSaved(input)
                    continue
                }
                if isVisible(input.frame, from: frame.parent) {
                    frame.recordCapture(input)
                    continue
                }
            }
            let inside = input.frame.map { "\($0)" } ?? "the top level"
            let here = frame.map { "the \($0)" } ?? "the top level"
            return .graph(
                node: reader,
                reason: "reads '\(input.name)' (\(input.originDescription)), which was built inside the \(inside) and has a "
                    + "value only while that runs, not in \(here); use the cond's or loop's outputs, or build the value "
                    + "outside and use it inside (a capture)",
                location: location)
        }
        return nil
    }

    /// Whether nodes of `frame` can be read from `scope`: it is `scope`, the forward sub-graph
    /// of `scope`, or visible from `scope`'s parent (the top level is visible everywhere).
    private func isVisible(_ frame: SubGraph?, from scope: SubGraph?) -> Bool {
        var current = scope
        while true {
            if frame === current { return true }
            guard let level = current else { return false }
            if let forward = level.forward, frame === forward { return true }
            current = level.parent
        }
    }

    /// A new sub-graph of the current frame, registered with the graph.
    func makeSubGraph(_ role: SubGraph.Role, forward: SubGraph? = nil, scope: String, at location: SourceLocation?) -> SubGraph {
        let subGraph = SubGraph(role: role, parent: currentFrame, forward: forward, location: location, index: subGraphs.count,
                                scope: scope)
        subGraphs.append(subGraph)
        forward?.readers.append(subGraph)
        return subGraph
    }

    /// Runs `body` with new nodes going into `subGraph`, named under its scope.
    func building<R>(_ subGraph: SubGraph, _ body: () -> R) -> R {
        let outer = currentFrame
        currentFrame = subGraph
        defer { currentFrame = outer }
        return withScope(replacedBy: subGraph.scope, body)
    }

    /// Adds the argument nodes of a sub-graph being built.
    func addArguments(to subGraph: SubGraph, shapes: [[Int]], names: [String], at location: SourceLocation?) {
        building(subGraph) {
            for (k, shape) in shapes.enumerated() {
                subGraph.arguments.append(addNode(.argument(index: k), [], name: names[k], shape: shape, location: location))
            }
        }
    }

    /// Sets a finished sub-graph's results, admitting results built outside it (a branch that
    /// returns an outer node as it is); returns the first error (a foreign node or a poisoned result).
    func finish(_ subGraph: SubGraph, results: [Node], at location: SourceLocation?) -> TandemError? {
        subGraph.results = results
        if let stranger = results.first(where: { !$0.belongs(to: self) }) {
            return .graph(node: stranger.name, reason: "returned from the \(subGraph) but belongs to another graph", location: location)
        }
        let outside = results.filter { $0.frame !== subGraph }
        if let error = admit(outside, into: subGraph, reader: subGraph.scope, at: location) { return error }
        return results.first { $0.poison != nil }?.poison
    }

    /// The union of several sub-graphs' captures, each once, in first-use order: the inputs a
    /// control-flow node passes to its sub-graphs after its leading inputs.
    static func unionOfCaptures(_ subGraphs: [SubGraph]) -> [Node] {
        var seen = Set<Node>()
        var list: [Node] = []
        for subGraph in subGraphs {
            for node in subGraph.captures where seen.insert(node).inserted { list.append(node) }
        }
        return list
    }

    /// Adds a control-flow node and its output nodes; returns the outputs.
    func addControlFlow(
        _ flow: ControlFlow, inputs: [Node], name: String, at location: SourceLocation?, poison: TandemError?
    ) -> (node: Node, outputs: [Node]) {
        let node = addNode(.controlFlow(flow), inputs, name: name, shape: [0], location: location, poison: poison,
                           nameIsUnique: true)
        for subGraph in flow.subGraphs { subGraph.owner = node }
        let outputs = flow.outputShapes.enumerated().map { k, shape in
            addNode(.output(index: k), [node], name: reserveName("\(name)/output_\(k)", scoped: false), shape: shape,
                    location: location, poison: node.poison, nameIsUnique: true)
        }
        flow.outputIDs = outputs.map(\.id)
        return (node, outputs)
    }
}
