extension Session {
    /// Rejects fetching or feeding a node built inside a branch or loop body: it has a value
    /// only while its sub-graph runs.
    static func checkTopLevel(_ fetches: [Node], fed: some Collection<Node>) throws(TandemError) {
        for (node, verb) in fetches.map({ ($0, "fetched") }) + fed.map({ ($0, "fed") }) {
            guard let frame = node.frame else { continue }
            throw Session.error(
                at: node,
                "cannot be \(verb): it was built inside the \(frame) and has a value only while that runs; "
                    + "return it from the branch or body and use the cond's or loop's output")
        }
    }
}
