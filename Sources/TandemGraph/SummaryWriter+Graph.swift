import TandemBoard

extension SummaryWriter {
    /// Logs `graph`'s structure for TensorBoard's graph tab (`add_graph`, `tf.summary.graph`).
    ///
    /// Every node becomes a `GraphDef` node named as in the graph (name scopes such as `dense/`
    /// become groups), with its op, its inputs, its static shape (-1 for the batch) and the source
    /// line that built it.
    ///
    /// - Parameters:
    ///   - graph: the graph to draw.
    ///   - file: the source file named in errors (defaults to the caller's).
    ///   - line: the source line named in errors (defaults to the caller's).
    public func addGraph(_ graph: Graph, file: StaticString = #fileID, line: UInt = #line) {
        let nodes = graph.nodes.map { node in
            var attributes: [String: String] = [:]
            if let location = node.location { attributes["source"] = "\(location)" }
            return GraphStructure.Node(
                name: node.name, op: node.kindName, inputs: node.inputs.map(\.name), shape: node.shape,
                attributes: attributes)
        }
        addGraph(GraphStructure(nodes: nodes), file: file, line: line)
    }
}
