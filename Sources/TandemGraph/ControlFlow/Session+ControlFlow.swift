extension Session {
    /// Rejects fetching or feeding a node built inside a branch or loop body: it has a value
    /// only while its sub-graph runs.
    static func checkTopLevel(_ fetches: [Node], fed: some Collection<Node>) throws(TandemError) {
        // Two loops, not one over `fetches.map + fed.map`: that built three arrays on every run.
        func check(_ node: Node, _ verb: String) throws(TandemError) {
            guard let frame = node.frame else { return }
            throw Session.error(
                at: node,
                "cannot be \(verb): it was built inside the \(frame) and has a value only while that runs; "
                    + "return it from the branch or body and use the cond's or loop's output")
        }
        for node in fetches { try check(node, "fetched") }
        for node in fed { try check(node, "fed") }
    }
}
