extension Graph {
    /// Runs one of two branches depending on a value known only at run time (`tf.cond`).
    ///
    /// Each closure is called once, now, to build its branch as a sub-graph; when the graph runs,
    /// the predicate is computed first and only the branch it selects runs (an op that would fail
    /// in the other branch never runs). A branch may use any node built outside it (a capture).
    /// Both branches must return the same number of values with the same ranks; a dimension on
    /// which they disagree is unknown (`nil`) in the result's static shape.
    ///
    /// ```swift
    /// let y = g.cond(x.sum().greater(zero), then: { [x * 2] }, else: { [-x] })[0]
    /// ```
    ///
    /// `gradients(of:with:)` differentiates through it: the gradient is a cond on the same
    /// predicate whose branches are the branches' gradients.
    ///
    /// - Parameters:
    ///   - predicate: a rank-0 value; nonzero selects `then`, zero selects `else`.
    ///   - then: builds the branch taken when the predicate is nonzero.
    ///   - else: builds the branch taken when the predicate is zero.
    ///   - name: the node's name (its branches' nodes are named under it, `cond/then/...`).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    /// - Returns: the selected branch's values, one node per value.
    public func cond(
        _ predicate: Node, then thenBranch: () -> [Node], else elseBranch: () -> [Node], name: String = "cond",
        file: StaticString = #fileID, line: UInt = #line
    ) -> [Node] {
        let location = SourceLocation(file, line)
        let name = reserveName(name)
        var errors: [TandemError] = []
        if !predicate.belongs(to: self) {
            errors.append(.graph(node: name, reason: "the predicate '\(predicate.name)' belongs to another graph", location: location))
        } else if let poison = predicate.poison {
            errors.append(poison)
        } else if !predicate.staticShape.isEmpty {
            errors.append(.shapeMismatch(
                op: "cond", shapes: [predicate.shape],
                reason: "the predicate '\(predicate.name)' must be a rank-0 value (nonzero selects then), not shape "
                    + "\(formatShape(predicate.shape)); reduce it (sum, max, ...) or compare a rank-0 value",
                location: location))
        }
        let thenGraph = makeSubGraph(.thenBranch, scope: "\(name)/then", at: location)
        let thenResults = building(thenGraph, thenBranch)
        let elseGraph = makeSubGraph(.elseBranch, scope: "\(name)/else", at: location)
        let elseResults = building(elseGraph, elseBranch)
        for (subGraph, results) in [(thenGraph, thenResults), (elseGraph, elseResults)] {
            if let error = finish(subGraph, results: results, at: location) { errors.append(error) }
        }

        var shapes: [[Int]] = []
        if thenResults.isEmpty {
            errors.append(.graph(node: name, reason: "a branch must return at least one node", location: location))
        } else if thenResults.count != elseResults.count {
            errors.append(.graph(
                node: name,
                reason: "the then branch returns \(thenResults.count) values but the else branch returns "
                    + "\(elseResults.count); both must return as many, of the same ranks",
                location: location))
        } else {
            for (k, (a, b)) in zip(thenResults, elseResults).enumerated() {
                guard a.staticShape.count == b.staticShape.count else {
                    errors.append(.shapeMismatch(
                        op: "cond", shapes: [a.shape, b.shape],
                        reason: "value \(k) has rank \(a.staticShape.count) in the then branch ('\(a.name)', \(a.originDescription)) "
                            + "but rank \(b.staticShape.count) in the else branch ('\(b.name)', \(b.originDescription))",
                        location: location))
                    continue
                }
                shapes.append(zip(a.staticShape, b.staticShape).map { $0 == $1 ? $0 : unknownDim })
            }
        }
        let poison = errors.first
        if let poison, predicate.poison == nil, !Graph.isReported(poison, among: [thenResults, elseResults]) {
            ErrorScope.report(poison)
        }
        if poison != nil { shapes = thenResults.map { _ in [] } }
        let flow = ControlFlow(
            construct: .cond, subGraphs: [thenGraph, elseGraph], leadingInputCount: 1, outputShapes: shapes)
        let inputs = [predicate].filter { $0.belongs(to: self) } + Graph.unionOfCaptures([thenGraph, elseGraph])
        return addControlFlow(flow, inputs: inputs, name: name, at: location, poison: poison).outputs
    }

    /// Whether `error` is the poison of one of `results` (already reported when it was made).
    static func isReported(_ error: TandemError, among results: [[Node]]) -> Bool {
        results.joined().contains { $0.poison == error }
    }
}
