extension Session {
    /// Warns about the tf.Print trap: a print node whose input this run computes but which is
    /// itself off the path of every fetch, so it silently prints nothing.
    ///
    /// Runs once per compiled fetch set (not per step). Runs that do not compute the printed
    /// value (the initializer, an unrelated evaluation) say nothing; each print node is reported
    /// at most once per graph.
    func warnAboutPrintsOffThePath(of fetches: [Node]) {
        let prints = graph.nodes.filter {
            if case .print = $0.kind { return !graph.reportedPrints.contains($0.id) }
            return false
        }
        guard !prints.isEmpty else { return }
        var reached = Set<Int>()
        var stack = fetches
        while let node = stack.popLast() {
            if reached.insert(node.id).inserted { stack.append(contentsOf: node.inputs) }
        }
        for node in prints where !reached.contains(node.id) && node.inputs.contains(where: { reached.contains($0.id) }) {
            graph.reportedPrints.insert(node.id)
            let fetched = fetches.map { "'\($0.name)'" }.joined(separator: ", ")
            graph.warn(
                "print node '\(node.name)' at \(node.location.map { "\($0)" } ?? "an unknown line") prints nothing: "
                    + "this run computes its input but fetches (\(fetched)) do not depend on the print node itself. "
                    + "Use its result in place of its input, or fetch it (tf.Print has the same trap).")
        }
    }
}
