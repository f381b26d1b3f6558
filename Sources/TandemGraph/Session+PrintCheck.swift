extension Session {
    /// Warns about the tf.Print trap: a print node whose input this run computes but which is
    /// itself off the path of every fetch, so it silently prints nothing.
    ///
    /// Runs once per compiled fetch set (not per step). Runs that do not compute the printed
    /// value (the initializer, an unrelated evaluation) say nothing; each print node is reported
    /// at most once per graph. `program` is the fetch set's lowered program, whose `neededNodes`
    /// says what the run computes.
    func warnAboutPrintsOffThePath(of fetches: [Node], in program: Program) {
        let needed = program.neededNodes
        for node in graph.nodes where !needed[node.id] && !graph.reportedPrints.contains(node.id) {
            // A poisoned print (its input was of another graph) has no input and never runs.
            guard case .print = node.kind, let input = node.inputs.first, needed[input.id] else { continue }
            graph.reportedPrints.insert(node.id)
            let fetched = fetches.map { "'\($0.name)'" }.joined(separator: ", ")
            graph.warn(
                "print node '\(node.name)' at \(node.location.map { "\($0)" } ?? "an unknown line") prints nothing: "
                    + "this run computes its input but fetches (\(fetched)) do not depend on the print node itself. "
                    + "Use its result in place of its input, or fetch it (tf.Print has the same trap).")
        }
    }
}
