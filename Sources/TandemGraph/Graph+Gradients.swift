extension Graph {
    /// Reverse-mode differentiation (`tf.gradients`): adds backward nodes computing the gradient
    /// of `loss` with respect to each node in `nodes`.
    ///
    /// The backward nodes come from the same gradient rules (`Op.gradient`) the eager frontend
    /// uses, applied to nodes instead of values; they carry the source line of the forward node
    /// they differentiate, so a run-time error in the backward pass points at the forward line.
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
        // The ancestors of the loss, then those that also depend on a wanted node: only they
        // need gradients (so, for example, no gradient is computed for the input data).
        var isAncestor = [Bool](repeating: false, count: self.nodes.count)
        var stack = [loss]
        while let node = stack.popLast() {
            if isAncestor[node.id] { continue }
            isAncestor[node.id] = true
            stack.append(contentsOf: node.inputs)
        }
        let wanted = Set(nodes.map(\.id))
        var isRelevant = [Bool](repeating: false, count: self.nodes.count)
        for id in 0...loss.id where isAncestor[id] {
            isRelevant[id] = wanted.contains(id) || self.nodes[id].inputs.contains { isRelevant[$0.id] }
        }

        var grads: [Int: Node] = [:]
        withNameScope("gradients") {
            if isRelevant[loss.id] {
                let one = constant(NDArray(1), name: "ones", file: file, line: line)
                grads[loss.id] = loss.staticShape.isEmpty
                    ? one : Node.apply(.broadcastLike, [one, loss], at: location)
            }
            for id in stride(from: loss.id, through: 0, by: -1) where isRelevant[id] {
                let node = self.nodes[id]
                guard let g = grads[id] else { continue }
                let inputGrads: [Node?]
                switch node.kind {
                case .primitive(let op):
                    let needed = node.inputs.map { isRelevant[$0.id] }
                    inputGrads = op.gradient(inputs: node.inputs, output: node, grad: g, at: node.location, needed: needed)
                case .print, .identity:
                    inputGrads = [g]
                default:
                    inputGrads = node.inputs.map { _ in nil }
                }
                for (input, grad) in zip(node.inputs, inputGrads) {
                    guard let grad, isRelevant[input.id] else { continue }
                    if let existing = grads[input.id] {
                        grads[input.id] = Node.apply(.add, [existing, grad], at: input.location)
                    } else {
                        grads[input.id] = grad
                    }
                }
            }
        }
        return nodes.map { node in
            if let g = grads[node.id] { return g }
            warn("'\(node.name)' (\(node.originDescription)) does not affect '\(loss.name)' "
                 + "(gradients requested at \(location)); its gradient is zero")
            return withNameScope("gradients") { Node.apply(.zerosLike, [node], at: node.location ?? location) }
        }
    }
}
