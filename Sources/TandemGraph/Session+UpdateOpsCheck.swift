extension Session {
    /// Warns about TensorFlow 1's batch-norm trap: a run that fetches a train op and computes the
    /// batch statistics that `Graph.updateOps` would record, but does not run those updates. The
    /// running statistics then never move, and evaluation (which reads them) normalises with
    /// their initial values: accuracy collapses without an error. TF1 says nothing.
    ///
    /// Runs once per compiled fetch set (not per step); reported at most once per graph, naming
    /// the line that created the train op and the lines of the skipped updates.
    func warnAboutUpdateOpsNotRun(of fetches: [Node], in program: Program) {
        guard !graph.updateOps.isEmpty, !graph.reportedSkippedUpdates else { return }
        guard let train = fetches.first(where: { if case .update = $0.kind { return true } else { return false } }) else { return }
        let needed = program.neededNodes
        let skipped = graph.updateOps.filter { update in
            !(needed.indices.contains(update.id) && needed[update.id]) && computesInputs(of: update, needed)
        }
        guard !skipped.isEmpty else { return }
        graph.reportedSkippedUpdates = true
        let names = skipped.prefix(4).map { "'\($0.name)' (\($0.location.map { "\($0)" } ?? "an unknown line"))" }
        let more = skipped.count > 4 ? " and \(skipped.count - 4) more" : ""
        graph.warn(
            "train op '\(train.name)' at \(train.location.map { "\($0)" } ?? "an unknown line") runs without "
                + "\(skipped.count) of Graph.updateOps: \(names.joined(separator: ", "))\(more). "
                + "The batch statistics are computed but the running statistics never move, so evaluation "
                + "normalises with their initial values. Run them with the train op: "
                + "session.run([train] + graph.updateOps, feed: ...) (TF1's UPDATE_OPS control dependency).")
    }

    /// Warns about the other side of the trap (`model.eval()` forgotten, TF1's `training=True` at
    /// evaluation): a run with no train op and no update that computes batch norm in training
    /// mode, so each evaluated batch is normalised with its own statistics. Reported at most once
    /// per graph, naming the line that built that batch norm.
    func warnAboutTrainingModeEvaluation(of fetches: [Node], in program: Program) {
        guard !graph.updateOps.isEmpty, !graph.reportedTrainingModeEvaluation else { return }
        let needed = program.neededNodes
        func runs(_ node: Node) -> Bool { needed.indices.contains(node.id) && needed[node.id] }
        guard !fetches.contains(where: { if case .update = $0.kind { return true } else { return false } }),
              !graph.updateOps.contains(where: runs),
              let update = graph.updateOps.first(where: { computesInputs(of: $0, needed) })
        else { return }
        graph.reportedTrainingModeEvaluation = true
        let fetched = fetches.prefix(4).map { "'\($0.name)'" }.joined(separator: ", ")
        graph.warn(
            "fetching \(fetched) runs batch_norm in training mode (built at \(update.location.map { "\($0)" } ?? "an unknown line")) "
                + "without a train op or its updates: each evaluated batch is normalised with its own statistics. If this "
                + "is evaluation, build it with batchNorm(..., training: false) (or feed the training node false), as "
                + "model.eval() does in PyTorch.")
    }

    /// Whether this run computes the batch statistics the update op would record (looking
    /// through the few nodes between them, and no further than the statistics).
    private func computesInputs(of update: Node, _ needed: [Bool]) -> Bool {
        var stack = update.inputs
        var seen = Set<Int>()
        while let node = stack.popLast() {
            guard seen.insert(node.id).inserted, !node.isVariable else { continue }
            if case .primitive(.batchStatistics) = node.kind {
                if needed.indices.contains(node.id) && needed[node.id] { return true }
                continue
            }
            stack += node.inputs
        }
        return false
    }
}
