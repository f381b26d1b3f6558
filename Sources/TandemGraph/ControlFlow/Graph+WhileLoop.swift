extension Graph {
    /// Repeats `body` while `condition` holds, for a number of iterations known only at run time
    /// (`tf.while_loop`).
    ///
    /// Each closure is called once, now, with argument nodes standing for the loop variables,
    /// to build its sub-graph. When the graph runs, the loop variables start at
    /// `loopVariables`' values; while `condition` (rank 0, nonzero to go on) holds and fewer than
    /// `maximumIterations` iterations ran, `body` maps them to their next values. The condition
    /// and body may use any node built outside them (a capture). Every loop variable must keep its
    /// shape from one iteration to the next: a body whose result has another static shape is
    /// reported here, one whose run-time shape changes is reported by the run, both naming the
    /// loop variable and your line.
    ///
    /// ```swift
    /// // x * a^n, with n fed at run time
    /// let out = g.whileLoop(
    ///     condition: { v in v[0].less(n) },
    ///     body: { v in [v[0] + 1, v[1] * a] },
    ///     loopVariables: [g.constant(NDArray(0)), x])
    /// ```
    ///
    /// `gradients(of:with:)` differentiates through it: the gradient is a second loop that runs
    /// the iterations in reverse, reading the values each forward iteration recorded.
    ///
    /// - Parameters:
    ///   - condition: from the loop variables, a rank-0 node; nonzero to run the body again.
    ///   - body: from the loop variables, their next values (as many, of the same shapes).
    ///   - loopVariables: the initial values (at least one).
    ///   - maximumIterations: stop after this many iterations even if the condition still holds.
    ///   - name: the node's name (its sub-graphs' nodes are named under it, `while/body/...`).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    /// - Returns: the loop variables' values after the last iteration.
    public func whileLoop(
        condition: ([Node]) -> Node, body: ([Node]) -> [Node], loopVariables: [Node], maximumIterations: Int? = nil,
        name: String = "while", file: StaticString = #fileID, line: UInt = #line
    ) -> [Node] {
        let location = SourceLocation(file, line)
        let name = reserveName(name)
        var errors: [TandemError] = []
        let initial = loopVariables.filter { $0.belongs(to: self) }
        if initial.count != loopVariables.count {
            errors.append(.graph(node: name, reason: "a loop variable belongs to another graph", location: location))
        }
        if loopVariables.isEmpty {
            errors.append(.graph(node: name, reason: "a loop needs at least one loop variable", location: location))
        }
        if let maximumIterations, maximumIterations < 0 {
            errors.append(.graph(
                node: name, reason: "maximumIterations must be zero or more, not \(maximumIterations)", location: location))
        }
        if let poisoned = initial.first(where: { $0.poison != nil }) { errors.append(poisoned.poison!) }
        let shapes = initial.map(\.staticShape)
        let argumentNames = initial.indices.map { "loop_variable_\($0)" }

        let conditionGraph = makeSubGraph(.condition, scope: "\(name)/condition", at: location)
        addArguments(to: conditionGraph, shapes: shapes, names: argumentNames, at: location)
        let predicate = building(conditionGraph) { condition(conditionGraph.arguments) }
        let bodyGraph = makeSubGraph(.body, scope: "\(name)/body", at: location)
        addArguments(to: bodyGraph, shapes: shapes, names: argumentNames, at: location)
        let results = building(bodyGraph) { body(bodyGraph.arguments) }
        if let error = finish(conditionGraph, results: [predicate], at: location) { errors.append(error) }
        if let error = finish(bodyGraph, results: results, at: location) { errors.append(error) }

        if predicate.poison == nil, !predicate.staticShape.isEmpty {
            errors.append(.shapeMismatch(
                op: "while_loop", shapes: [predicate.shape],
                reason: "the condition must return a rank-0 value (nonzero to go on), but '\(predicate.name)' "
                    + "(\(predicate.originDescription)) has shape \(formatShape(predicate.shape))",
                location: location))
        }
        var outputShapes = shapes
        if results.count != initial.count {
            errors.append(.graph(
                node: name,
                reason: "the body returns \(results.count) values for \(initial.count) loop variables; it must return "
                    + "the next value of each, in order",
                location: location))
        } else {
            for (k, (start, next)) in zip(initial, results).enumerated() where next.poison == nil {
                guard let merged = Graph.refine(start.staticShape, next.staticShape) else {
                    errors.append(.shapeMismatch(
                        op: "while_loop", shapes: [start.shape, next.shape],
                        reason: "loop variable \(k) ('\(start.name)', \(start.originDescription)) has shape "
                            + "\(formatShape(start.shape)) but the body returns it with shape \(formatShape(next.shape)) "
                            + "('\(next.name)', \(next.originDescription)); a loop variable must keep its shape in every "
                            + "iteration (pad it to a fixed size, or collect per-step values outside the loop)",
                        location: location))
                    continue
                }
                outputShapes[k] = merged
            }
        }
        let poison = errors.first
        if let poison, !Graph.isReported(poison, among: [initial, [predicate], results]) { ErrorScope.report(poison) }
        let flow = ControlFlow(
            construct: .whileLoop, subGraphs: [conditionGraph, bodyGraph], maximumIterations: maximumIterations,
            leadingInputCount: initial.count, outputShapes: outputShapes)
        let inputs = initial + Graph.unionOfCaptures([conditionGraph, bodyGraph])
        return addControlFlow(flow, inputs: inputs, name: name, at: location, poison: poison).outputs
    }

    /// Two static shapes of one value combined: a dimension known in either is known; nil when
    /// the ranks differ or a dimension is known differently in each.
    static func refine(_ a: [Int], _ b: [Int]) -> [Int]? {
        guard a.count == b.count else { return nil }
        var merged: [Int] = []
        for (x, y) in zip(a, b) {
            if x == unknownDim { merged.append(y) } else if y == unknownDim || x == y { merged.append(x) } else { return nil }
        }
        return merged
    }
}
