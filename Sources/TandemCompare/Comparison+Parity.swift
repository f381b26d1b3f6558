extension Comparison {
    /// Runs the forward pass and the loss once in each frontend on the same batch from the same
    /// weights, and returns the largest difference after every layer: the first row above the
    /// tolerance is the first op whose values diverge.
    func compareActivations(
        weights: [(name: String, value: NDArray)], batch: (inputs: NDArray, labels: [Int])
    ) throws -> [ActivationDiff] {
        let spec = self.spec
        var eager: [(String, NDArray)] = []
        try checked {
            noGrad {
                let parameters = spec.state(weights: weights) { name, value, _ in Tensor(value) }
                let logits = spec.forward(Tensor(batch.inputs), parameters) { eager.append(($0, $1.array)) }
                eager.append(("loss: crossEntropy", crossEntropy(logits, Tensor(labels: batch.labels)).array))
            }
        }

        let graph = Graph()
        var nodes: [(String, Node)] = []
        let (inputs, labels) = try checked {
            let inputs = graph.placeholder(shape: [nil] + spec.sampleShape.map { Optional($0) }, name: "x")
            let labels = graph.labelsPlaceholder(name: "y")
            let parameters = spec.state(weights: weights) { graph.variable($1, name: $0, trainable: $2) }
            let logits = spec.forward(inputs, parameters) { nodes.append(($0, $1)) }
            nodes.append(("loss: crossEntropy", crossEntropy(logits, labels)))
            return (inputs, labels)
        }
        let session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        // The update ops run too, as the eager pass moved its running statistics: the same
        // training-mode step in both frontends.
        let values = Array(try session.run(
            nodes.map(\.1) + graph.updateOps, feed: [inputs: batch.inputs, labels: labelArray(batch.labels)]
        ).prefix(nodes.count))

        var diffs = zip(eager, values).map { e, g in
            ActivationDiff(layer: e.0, maxAbsDiff: maxAbsDifference(e.1, g), shape: e.1.shape)
        }
        // The eager Module path (`Sequential` built from the spec, weights and running statistics
        // through loadStateDict) must give the generic forward pass's logits exactly. It is
        // compared in eval mode, as a model is evaluated (identical to training mode without
        // batch norm).
        let module = try spec.makeModule(weights: weights)
        module.eval()
        let (moduleLogits, logits) = try checked {
            noGrad {
                let parameters = spec.state(weights: weights) { _, value, _ in Tensor(value) }
                return (module(Tensor(batch.inputs)).array, spec.forward(Tensor(batch.inputs), parameters, training: false).array)
            }
        }
        diffs.append(ActivationDiff(
            layer: spec.hasTrainingState ? "eager Module path: eval-mode logits" : "eager Module path: logits",
            maxAbsDiff: maxAbsDifference(moduleLogits, logits), shape: moduleLogits.shape))
        return diffs
    }
}

extension Comparison {
    /// Compares what both frontends hold after training: every parameter and running statistic
    /// (one row per state-dict key, `after training: 1.running_mean`), then the logits of one
    /// batch in evaluation mode (batch norm reading the running statistics).
    func compareTrainedState(
        eager: (state: [String: NDArray], evalLogits: NDArray), graph: (state: [String: NDArray], evalLogits: NDArray)
    ) -> [ActivationDiff] {
        var diffs = (spec.parameterNames + spec.bufferNames).map { name -> ActivationDiff in
            let e = eager.state[name], g = graph.state[name]
            let diff = e.flatMap { e in g.map { maxAbsDifference(e, $0) } } ?? .infinity
            return ActivationDiff(layer: "after training: \(name)", maxAbsDiff: diff, shape: e?.shape ?? g?.shape ?? [])
        }
        diffs.append(ActivationDiff(
            layer: "after training: eval-mode logits", maxAbsDiff: maxAbsDifference(eager.evalLogits, graph.evalLogits),
            shape: eager.evalLogits.shape))
        return diffs
    }
}

/// The largest absolute elementwise difference (infinity when shapes differ or a value is NaN
/// on one side only).
func maxAbsDifference(_ a: NDArray, _ b: NDArray) -> Double {
    guard a.shape == b.shape else { return .infinity }
    var worst = 0.0
    for (x, y) in zip(a.scalars, b.scalars) {
        if x.isNaN && y.isNaN { continue }
        let d = Double(abs(x - y))
        if !(d <= worst) { worst = d.isNaN ? .infinity : d }
    }
    return worst
}

extension Comparison {
    /// The graph frontend's training graph (loss and train op) in DOT, as built and as the session
    /// runs it after the optimisation passes, for the report's pictures.
    func graphPictures(weights: [(name: String, value: NDArray)]) throws -> (before: String?, after: String?) {
        let trainer = try GraphTrainer(self, weights: weights)
        let fetches = [trainer.loss, trainer.train]
        return (try trainer.graph.dot(fetches: fetches), try trainer.graph.dot(fetches: fetches, optimized: true))
    }
}
