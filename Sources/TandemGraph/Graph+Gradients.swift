extension Graph {
    /// Reverse-mode differentiation (`tf.gradients`): adds backward nodes computing the gradient
    /// of `loss` with respect to each node in `nodes`.
    ///
    /// The backward nodes come from the same gradient rules (`Op.gradient`) the eager frontend
    /// uses, applied to nodes instead of values; they carry the source line of the forward node
    /// they differentiate, so a run-time error in the backward pass points at the forward line.
    /// Control flow is differentiated too: a `cond` by a cond on the same predicate, a
    /// `whileLoop` by a loop running the iterations in reverse (see `Graph+ControlFlowGradients.swift`).
    /// A node the loss does not depend on gets a zeros node and a warning in ``warnings``,
    /// never a silent nil.
    ///
    /// - Parameters:
    ///   - loss: the value to differentiate (a scalar usually; otherwise its sum is differentiated).
    ///   - nodes: the nodes to differentiate with respect to (usually variables).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    /// - Returns: one gradient node per entry of `nodes`, shaped like it.
    public func gradients(
        of loss: Node, with nodes: [Node], file: StaticString = #fileID, line: UInt = #line
    ) -> [Node] {
        let location = SourceLocation(file, line)
        if let stranger = ([loss] + nodes).first(where: { !$0.belongs(to: self) }) {
            // A stranger's id would index this graph's nodes: another node's gradient, or a crash.
            let error = stranger.graphIsReleased ? stranger.releasedGraphError : TandemError.graph(
                node: stranger.name, reason: "gradients(of:with:): the node belongs to another graph", location: location)
            ErrorScope.report(error)
            return nodes.map { node in
                addNode(.primitive(.zerosLike), [], name: "gradients/error", shape: node.staticShape, location: location, poison: error)
            }
        }
        let grads: [Node?] = withNameScope("gradients") {
            let seed = { [self] () -> Node in
                let one = constant(NDArray(1), name: "ones", file: file, line: line)
                return loss.staticShape.isEmpty ? one : Node.apply(.broadcastLike, [one, loss], at: location)
            }
            return backpropagate(seeds: [(loss, seed)], to: nodes, within: loss.frame, at: location)
        }
        return zip(nodes, grads).map { node, grad in
            if let grad { return grad }
            warn("'\(node.name)' (\(node.originDescription)) does not affect '\(loss.name)' "
                 + "(gradients requested at \(location)); its gradient is zero")
            return withNameScope("gradients") { Node.apply(.zerosLike, [node], at: node.location ?? location) }
        }
    }

    /// Reverse-mode accumulation: given the gradients `seeds` of some nodes (each made only if
    /// a wanted node affects its node), adds the nodes computing the gradient of each of
    /// `wanted` (nil where no seed depends on it).
    ///
    /// Only nodes of `frame` are differentiated through; a node from outside it (a capture of a
    /// loop body, say) is a leaf whose gradient is collected if it is wanted. This is how a
    /// sub-graph's gradient is built: the same walk, confined to the sub-graph.
    func backpropagate(seeds: [(Node, () -> Node)], to wanted: [Node], within frame: SubGraph?, at location: SourceLocation) -> [Node?] {
        guard let top = seeds.map({ $0.0.id }).max() else { return wanted.map { _ in nil } }
        // The ancestors of the seeds, then those that also depend on a wanted node: only they
        // need gradients (so, for example, no gradient is computed for the input data).
        var isAncestor = [Bool](repeating: false, count: top + 1)
        var stack = seeds.map(\.0)
        while let node = stack.popLast() {
            if isAncestor[node.id] { continue }
            isAncestor[node.id] = true
            if node.frame === frame { stack.append(contentsOf: node.inputs) }
        }
        let wantedIDs = Set(wanted.map(\.id))
        var isRelevant = [Bool](repeating: false, count: top + 1)
        for id in 0...top where isAncestor[id] {
            let node = self.nodes[id]
            isRelevant[id] = wantedIDs.contains(id)
                || (node.frame === frame && node.inputs.contains { isRelevant[$0.id] })
        }

        var grads: [Int: Node] = [:]
        func accumulate(_ grad: Node, into node: Node) {
            if let existing = grads[node.id] {
                grads[node.id] = Node.apply(.add, [existing, grad], at: node.location)
            } else {
                grads[node.id] = grad
            }
        }
        for (node, seed) in seeds where isRelevant[node.id] { accumulate(seed(), into: node) }
        // The gradients of each control-flow node's outputs, gathered from its output nodes
        // (which come after it) before the node itself is differentiated.
        var outputGrads: [Int: [Node?]] = [:]
        for id in stride(from: top, through: 0, by: -1) where isRelevant[id] && self.nodes[id].frame === frame {
            let node = self.nodes[id]
            let needed = node.inputs.map { isRelevant[$0.id] }
            let inputGrads: [Node?]
            switch node.kind {
            case .primitive(let op):
                guard let g = grads[id] else { continue }
                inputGrads = op.gradient(inputs: node.inputs, output: node, grad: g, at: node.location, needed: needed)
            case .print, .identity:
                guard let g = grads[id] else { continue }
                inputGrads = [g]
            case .output(let index):
                guard let g = grads[id], case .controlFlow(let flow) = node.inputs[0].kind else { continue }
                var list = outputGrads[node.inputs[0].id] ?? Array(repeating: nil, count: flow.outputShapes.count)
                list[index] = g
                outputGrads[node.inputs[0].id] = list
                continue
            case .controlFlow(let flow):
                guard let seedsOfOutputs = outputGrads[id] else { continue }
                inputGrads = controlFlowGradient(node, flow, outputGrads: seedsOfOutputs, needed: needed, at: location)
            case .placeholder, .labelsPlaceholder, .constant, .variable, .initializer, .update, .assign, .training, .group, .custom,
                 .argument:
                continue
            }
            for (input, grad) in zip(node.inputs, inputGrads) {
                guard let grad, isRelevant[input.id] else { continue }
                accumulate(grad, into: input)
            }
        }
        return wanted.map { grads[$0.id] }
    }
}
