extension Graph {
    /// The name of the global step variable (TF1's `global_step`).
    public static let globalStepName = "global_step"

    /// The graph's global step: a rank-0, non-trainable variable named `global_step`, starting at
    /// 0, created on first use and returned again afterwards
    /// (`tf.compat.v1.train.get_or_create_global_step`). A train op built with
    /// `minimize(_:globalStep:)` or `applyGradients(_:globalStep:)` adds one to it after each step;
    /// `exponentialDecay` and `cosineDecay` read it. It is saved with the graph's other variables.
    ///
    /// The step is a float32, as every Tandem value: it counts exactly up to 2^24 (16,777,216)
    /// steps, and a run that would go further is an error (TF1's is an int64).
    ///
    /// ```swift
    /// let step = g.globalStep()
    /// let train = GradientDescentOptimizer(learningRate: 0.1).minimize(loss, globalStep: step)
    /// ```
    ///
    /// - Parameters:
    ///   - file: the source file recorded on the variable when it is created (defaults to the caller's).
    ///   - line: the source line recorded on the variable when it is created (defaults to the caller's).
    public func globalStep(file: StaticString = #fileID, line: UInt = #line) -> Node {
        if let existing = node(named: Graph.globalStepName) {
            if existing.isVariable && existing.staticShape.isEmpty { return existing }
            let error = TandemError.graph(
                node: existing.name,
                reason: "'\(Graph.globalStepName)' is taken by a node that is not a rank-0 variable; the global step needs the name",
                location: SourceLocation(file, line))
            ErrorScope.report(error)
            return addNode(.constant(NDArray(0)), [], name: "invalid_global_step", shape: [], location: SourceLocation(file, line), poison: error)
        }
        return variable(NDArray(0), name: Graph.globalStepName, trainable: false, file: file, line: line)
    }
}
