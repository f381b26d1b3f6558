/// The gradients of control flow, as TensorFlow builds them (Yu et al., EuroSys 2018):
/// - a `cond`'s gradient is a cond that takes the branch the forward cond took (the same
///   predicate, read from the forward's record rather than computed again) and runs that
///   branch's gradient;
/// - a `whileLoop`'s gradient is a loop that runs as many iterations as the forward one did, in
///   reverse, each differentiating the body at the values that forward iteration recorded
///   (TensorFlow's stacks), and accumulates the gradients of the captured values over iterations.
/// Both backward sub-graphs are built by the same `backpropagate` walk as the rest of the graph,
/// confined to the forward sub-graph; the forward values they read become its `saved` values.
extension Graph {
    /// The gradients of a control-flow node's inputs (nil where not needed or not reached).
    func controlFlowGradient(
        _ node: Node, _ flow: ControlFlow, outputGrads: [Node?], needed: [Bool], at location: SourceLocation
    ) -> [Node?] {
        switch flow.construct {
        case .cond: return condGradient(node, flow, outputGrads: outputGrads, needed: needed)
        case .whileLoop: return whileGradient(node, flow, outputGrads: outputGrads, needed: needed)
        case .condGradient, .whileGradient:
            ErrorScope.report(.graph(
                node: node.name,
                reason: "differentiating the gradient of a cond or loop (a second derivative through control flow) "
                    + "is not supported (gradients requested at \(location))",
                location: node.location))
            return node.inputs.map { _ in nil }
        }
    }

    private func whileGradient(_ node: Node, _ flow: ControlFlow, outputGrads: [Node?], needed: [Bool]) -> [Node?] {
        let location = node.location ?? .framework
        let n = flow.leadingInputCount, body = flow.subGraphs[1]
        let loopVariables = Array(node.inputs[0..<n])
        let captureIndices = (n..<node.inputs.count).filter { needed[$0] }
        let captures = captureIndices.map { node.inputs[$0] }
        let name = reserveName("\(node.name.split(separator: "/").last ?? "")_grad")
        // The loop's gradient starts from the gradients of its outputs (zeros where none flows)
        // and from zero for every accumulated capture gradient.
        let seeds = (0..<n).map { j in outputGrads[j] ?? Node.apply(.zerosLike, [loopVariables[j]], at: location) }
        let startingSums = captures.map { Node.apply(.zerosLike, [$0], at: location) }

        let backward = makeSubGraph(.gradient, forward: body, scope: "\(name)/body", at: location)
        addArguments(
            to: backward, shapes: Array(flow.outputShapes.prefix(n)) + captures.map(\.staticShape),
            names: (0..<n).map { "gradient_\($0)" } + captures.indices.map { "accumulated_\($0)" }, at: location)
        let results: [Node] = building(backward) {
            let grad = backward.arguments
            let inner = backpropagate(
                seeds: (0..<n).map { j in (body.results[j], { grad[j] }) }, to: body.arguments + captures, within: body,
                at: location)
            let next = (0..<n).map { j in inner[j] ?? Node.apply(.zerosLike, [grad[j]], at: location) }
            let sums = captures.indices.map { i in
                inner[n + i].map { Node.apply(.add, [grad[n + i], $0], at: location) } ?? grad[n + i]
            }
            return next + sums
        }
        let poison = finish(backward, results: results, at: location)
        if let poison, !Graph.isReported(poison, among: [results]) { ErrorScope.report(poison) }
        let gradientFlow = ControlFlow(
            construct: .whileGradient, subGraphs: [backward], leadingInputCount: 1 + n + captures.count,
            outputShapes: Array(flow.outputShapes.prefix(n)) + captures.map(\.staticShape))
        let inputs = [node] + seeds + startingSums + Graph.unionOfCaptures([backward])
        let outputs = addControlFlow(gradientFlow, inputs: inputs, name: name, at: location, poison: poison).outputs
        return node.inputs.indices.map { i in
            guard needed[i] else { return nil }
            if i < n { return outputs[i] }
            return captureIndices.firstIndex(of: i).map { outputs[n + $0] }
        }
    }

    private func condGradient(_ node: Node, _ flow: ControlFlow, outputGrads: [Node?], needed: [Bool]) -> [Node?] {
        let location = node.location ?? .framework
        let captureIndices = (1..<node.inputs.count).filter { needed[$0] }
        guard !captureIndices.isEmpty else { return node.inputs.map { _ in nil } }
        let captures = captureIndices.map { node.inputs[$0] }
        let name = reserveName("\(node.name.split(separator: "/").last ?? "")_grad")
        let k = flow.outputShapes.count
        let seeds = (0..<k).map { j in outputGrads[j] ?? Node.apply(.zerosLike, [nodes[flow.outputIDs[j]]], at: location) }

        var branches: [SubGraph] = []
        var poison: TandemError?
        for forward in flow.subGraphs {
            let backward = makeSubGraph(.gradient, forward: forward, scope: "\(name)/\(forward.role.rawValue)", at: location)
            addArguments(to: backward, shapes: flow.outputShapes, names: (0..<k).map { "gradient_\($0)" }, at: location)
            let results: [Node] = building(backward) {
                let grad = backward.arguments
                let inner = backpropagate(
                    seeds: (0..<k).map { j in (forward.results[j], { grad[j] }) }, to: captures, within: forward, at: location)
                return captures.indices.map { i in inner[i] ?? Node.apply(.zerosLike, [captures[i]], at: location) }
            }
            if let error = finish(backward, results: results, at: location) {
                if !Graph.isReported(error, among: [results]) { ErrorScope.report(error) }
                poison = poison ?? error
            }
            branches.append(backward)
        }
        let gradientFlow = ControlFlow(
            construct: .condGradient, subGraphs: branches, leadingInputCount: 1 + k, outputShapes: captures.map(\.staticShape))
        let inputs = [node] + seeds + Graph.unionOfCaptures(branches)
        let outputs = addControlFlow(gradientFlow, inputs: inputs, name: name, at: location, poison: poison).outputs
        return node.inputs.indices.map { i in captureIndices.firstIndex(of: i).map { outputs[$0] } }
    }
}
