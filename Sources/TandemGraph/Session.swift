import Foundation

/// Runs a ``Graph`` (`tf.Session`): evaluates the nodes you fetch, with the values you feed
/// for placeholders, and holds the variables' values and the optimizers' state.
///
/// The first run of a set of fetches compiles it: the subgraph the fetches need is optimised
/// (see ``GraphOptimizer``), ordered, and given a memory plan; later runs of the same fetches
/// and feed keys reuse that plan, so a training step does no graph work and, in steady state,
/// almost no allocation.
///
/// ```swift
/// let session = Session(graph: g)
/// try session.run(g.initializeVariables())
/// let (loss, _) = try session.run([loss, train], feed: [x: batch, y: labels])
/// ```
///
/// Errors are thrown, never fatal: a missing feed, a feed of the wrong shape, an uninitialised
/// variable, a shape that fails at run time, or (with ``Options/checkNumerics``) a NaN. Each
/// names the node and the source line that created it.
public final class Session {
    /// How a session runs graphs.
    public struct Options {
        /// Which optimisation passes run before the first run of a set of fetches.
        public var optimizer: GraphOptimizer.Options
        /// Checks every op's output for NaN and infinity and throws at the first one
        /// (`tf.add_check_numerics_ops`); costs one pass over each value, and turns fusion off so
        /// the error names the exact op that produced the NaN.
        public var checkNumerics: Bool
        /// Recycles buffers by the memory plan (off: every step allocates, as eager does).
        public var reuseBuffers: Bool

        /// Creates options: every pass on, numerics unchecked, buffers recycled.
        ///
        /// - Parameters:
        ///   - optimizer: the passes run before the first run of a fetch set.
        ///   - checkNumerics: throw at the first op that produces NaN or infinity (turns fusion off).
        ///   - reuseBuffers: recycle buffers by the memory plan.
        public init(optimizer: GraphOptimizer.Options = .all, checkNumerics: Bool = false, reuseBuffers: Bool = true) {
            self.optimizer = optimizer
            self.checkNumerics = checkNumerics
            self.reuseBuffers = reuseBuffers
        }
    }

    /// The graph this session runs.
    public let graph: Graph
    /// How it runs. Changing the passes affects only fetch sets not yet compiled.
    public var options: Options

    /// Each variable's current value (nil until initialised), by variable index.
    var variableValues: [NDArray?] = []
    /// Each train op's optimizer state, by the train op's node id.
    var optimizerSlots: [Int: OptimizerSlots] = [:]
    private var plans: [PlanKey: ExecutionPlan] = [:]

    private struct PlanKey: Hashable {
        let fetches: [Int]
        let fed: [Int]

        /// Whether this key is that of `fetches` and `fed`, checked without building arrays.
        func matches(_ fetches: [Node], _ fed: some Collection<Node>) -> Bool {
            guard fetches.count == self.fetches.count && fed.count == self.fed.count else { return false }
            for (node, id) in zip(fetches, self.fetches) where node.id != id { return false }
            for node in fed where !self.fed.contains(node.id) { return false }
            return true
        }
    }

    /// The last fetch set's key and plan: a loop that runs the same fetches every step finds its
    /// plan here without building and hashing a `PlanKey` (the key was validated when its plan was built).
    private var lastPlan: (key: PlanKey, plan: ExecutionPlan)?

    /// Creates a session for a graph.
    ///
    /// - Parameters:
    ///   - graph: the graph to run.
    ///   - options: passes, numerics checking and buffer reuse.
    public init(graph: Graph, options: Options = Options()) {
        self.graph = graph
        self.options = options
    }

    // MARK: Running

    /// Evaluates `fetches`, feeding `feed`'s values to placeholders (or to any node, overriding
    /// what it would compute). Only the subgraph the fetches need runs, in topological order.
    ///
    /// - Parameters:
    ///   - fetches: the nodes to evaluate (values, train ops, initializers).
    ///   - feed: values for placeholders, or for any node to override what it computes.
    ///
    /// - Returns: one value per fetch; effect nodes (train ops, the initializer) give an empty value.
    @discardableResult
    public func run(_ fetches: [Node], feed: [Node: NDArray] = [:]) throws -> [NDArray] {
        try runTyped(fetches, feed: feed)
    }

    /// Evaluates one node (see `run(_:feed:)` for fetch lists).
    ///
    /// - Parameters:
    ///   - fetch: the node to evaluate.
    ///   - feed: values for placeholders, or for any node to override what it computes.
    @discardableResult
    public func run(_ fetch: Node, feed: [Node: NDArray] = [:]) throws -> NDArray {
        try runTyped([fetch], feed: feed)[0]
    }

    /// `run` with the error type spelled out.
    func runTyped(_ fetches: [Node], feed: [Node: NDArray]) throws(TandemError) -> [NDArray] {
        let plan = try plan(for: fetches, fed: feed.keys)
        graph.hasRun = true
        if variableValues.count < graph.variables.count {
            variableValues += Array(repeating: nil, count: graph.variables.count - variableValues.count)
        }
        return try plan.execute(session: self, feed: feed)
    }

    /// The compiled plan for a fetch set, built on first use.
    func plan(for fetches: [Node], fed: some Collection<Node>) throws(TandemError) -> ExecutionPlan {
        for node in fetches where !node.belongs(to: graph) {
            if node.graphIsReleased { throw node.releasedGraphError }
            throw TandemError.graph(
                node: node.name, reason: "Session.run: fetched from a session of another graph", location: node.location)
        }
        for node in fed where !node.belongs(to: graph) {
            if node.graphIsReleased { throw node.releasedGraphError }
            throw TandemError.graph(
                node: node.name, reason: "Session.run: fed to a session of another graph", location: node.location)
        }
        if let lastPlan, lastPlan.key.matches(fetches, fed) { return lastPlan.plan }
        try Session.checkTopLevel(fetches, fed: fed)
        let key = PlanKey(fetches: fetches.map(\.id), fed: fed.map(\.id).sorted())
        if let plan = plans[key] {
            lastPlan = (key, plan)
            return plan
        }
        var program = try Program(graph: graph, fetches: fetches, fed: Set(fed))
        warnAboutPrintsOffThePath(of: fetches, in: program)
        warnAboutUpdateOpsNotRun(of: fetches, in: program)
        warnAboutTrainingModeEvaluation(of: fetches, in: program)
        var passes = options.optimizer
        // A fused kernel would report a NaN under the last node of its chain; checking numerics
        // keeps nodes unfused so the error names the op that made it.
        if options.checkNumerics {
            passes.fusion = false
            passes.updateFusion = false
        }
        GraphOptimizer.prepareForSession(&program, options: passes)
        let plan = try ExecutionPlan(program: program, passes: passes) { update, id in
            if let slots = optimizerSlots[id] { return slots }
            let slots = OptimizerSlots(count: update.variables.count)
            optimizerSlots[id] = slots
            return slots
        }
        plans[key] = plan
        lastPlan = (key, plan)
        return plan
    }

    /// The optimised program a fetch set runs (what DOT export draws after optimisation).
    func optimizedProgram(for fetches: [Node], fed: [Node] = []) throws(TandemError) -> Program {
        try plan(for: fetches, fed: fed).program
    }

    /// Drops compiled plans, so changed ``options`` apply to every fetch set.
    public func clearPlans() {
        plans.removeAll()
        lastPlan = nil
    }

    // MARK: Variables

    /// A variable's current value in this session.
    ///
    /// - Parameter variable: a variable of this session's graph.
    public func value(of variable: Node) throws -> NDArray {
        guard case .variable(let index) = variable.kind, variable.belongs(to: graph) else {
            throw TandemError.graph(node: variable.name, reason: "is not a variable of this session's graph", location: variable.location)
        }
        guard index < variableValues.count, let value = variableValues[index] else { throw Session.uninitialized(variable) }
        return value
    }

    /// Sets a variable's value (`tf.assign` run at once); the shape must match the variable's.
    ///
    /// - Parameters:
    ///   - value: the new value, of the variable's shape.
    ///   - variable: a variable of this session's graph.
    public func assign(_ value: NDArray, to variable: Node) throws {
        guard case .variable(let index) = variable.kind, variable.belongs(to: graph) else {
            throw TandemError.graph(node: variable.name, reason: "is not a variable of this session's graph", location: variable.location)
        }
        guard value.shape == variable.staticShape else {
            throw Session.error(
                at: variable,
                "assigned a value of shape \(formatShape(value.shape)) to a variable of shape \(formatShape(variable.shape))")
        }
        if variableValues.count < graph.variables.count {
            variableValues += Array(repeating: nil, count: graph.variables.count - variableValues.count)
        }
        variableValues[index] = value.contiguous()
    }

    /// Writes `value` into variable `index` in place (an assign node's run): the variable keeps
    /// its buffer unless a value of this run still shares it (then copy-on-write gives it a new one).
    func assign(_ value: NDArray, toVariable index: Int, at node: Node) throws(TandemError) {
        let variable = graph.variables[index]
        guard variableValues[index] != nil else { throw Session.uninitialized(variable) }
        guard value.shape == variableValues[index]!.shape else {
            throw Session.error(
                at: node,
                "assigned a value of shape \(formatShape(value.shape)) to variable '\(variable.name)' of shape "
                    + formatShape(variableValues[index]!.shape))
        }
        value.withUnsafeBufferPointer { source in
            variableValues[index]!.withUnsafeMutableBufferPointer { destination in
                if let base = source.baseAddress, source.count > 0 { destination.baseAddress!.update(from: base, count: source.count) }
            }
        }
    }

    // MARK: Optimizer updates

    /// Applies one optimizer step, in place, to the update's variables numbered `parts`, whose
    /// gradients are `gradients` (in the same order), at learning rate `lr`.
    func apply(
        _ update: OptimizerUpdate, state: OptimizerSlots, gradients: [NDArray], parts: Range<Int>, learningRate lr: Float,
        at node: Node
    ) throws(TandemError) {
        for (grad, k) in zip(gradients, parts) {
            let v = update.variables[k]
            guard variableValues[v] != nil else { throw Session.uninitialized(graph.variables[v]) }
            guard grad.shape == variableValues[v]!.shape else {
                throw Session.error(
                    at: node,
                    "gradient of shape \(formatShape(grad.shape)) for variable '\(graph.variables[v].name)' "
                        + "of shape \(formatShape(variableValues[v]!.shape))")
            }
            try checkSlots(state, part: k, fit: variableValues[v]!.shape, at: node)
        }
        for (grad, k) in zip(gradients, parts) {
            let v = update.variables[k]
            state.steps[k] += 1
            switch update.rule {
            case let .sgd(_, momentum, nesterov):
                OptimizerKernels.sgd(
                    param: &variableValues[v]!, grad: grad, momentumBuffer: &state.momentum[k], lr: lr, momentum: momentum,
                    nesterov: nesterov)
            case let .adam(_, beta1, beta2, epsilon):
                if state.m[k] == nil {
                    state.m[k] = NDArray(zeros: grad.shape)
                    state.v[k] = NDArray(zeros: grad.shape)
                }
                OptimizerKernels.adam(
                    param: &variableValues[v]!, grad: grad, m: &state.m[k]!, v: &state.v[k]!,
                    step: state.steps[k], lr: lr, beta1: beta1, beta2: beta2, eps: epsilon)
            case let .adamW(_, beta1, beta2, epsilon, weightDecay):
                if state.m[k] == nil {
                    state.m[k] = NDArray(zeros: grad.shape)
                    state.v[k] = NDArray(zeros: grad.shape)
                }
                var none: NDArray? = nil
                OptimizerKernels.adam(
                    param: &variableValues[v]!, grad: grad, m: &state.m[k]!, v: &state.v[k]!, maxSquare: &none,
                    step: state.steps[k], lr: lr, beta1: beta1, beta2: beta2, eps: epsilon, weightDecay: weightDecay,
                    decoupledWeightDecay: true)
            case let .rmsprop(_, decay, momentum, epsilon):
                // The mean square lives in the `v` slot, the momentum buffer in `momentum`.
                if state.v[k] == nil { state.v[k] = NDArray(zeros: grad.shape) }
                if momentum > 0 && state.momentum[k] == nil { state.momentum[k] = NDArray(zeros: grad.shape) }
                var notCentered: NDArray? = nil
                OptimizerKernels.rmsprop(
                    param: &variableValues[v]!, grad: grad, squareAverage: &state.v[k]!, momentumBuffer: &state.momentum[k],
                    gradAverage: &notCentered, lr: lr, alpha: decay, eps: epsilon, momentum: momentum)
            }
        }
    }

    /// Applies one SGD step, in place, to the update's variable number `part`, whose gradient is
    /// the product `a · b` (an update fused with its gradient GEMM by ``UpdateFusion``).
    func applyProduct(
        _ update: OptimizerUpdate, state: OptimizerSlots, a: NDArray, b: NDArray, part k: Int, learningRate lr: Float,
        at node: Node
    ) throws(TandemError) {
        let v = update.variables[k]
        guard variableValues[v] != nil else { throw Session.uninitialized(graph.variables[v]) }
        let shape = variableValues[v]!.shape
        guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[0], [a.shape[0], b.shape[1]] == shape else {
            throw Session.error(
                at: node,
                "gradient product \(formatShape(a.shape)) · \(formatShape(b.shape)) for variable '\(graph.variables[v].name)' "
                    + "of shape \(formatShape(shape))")
        }
        try checkSlots(state, part: k, fit: shape, at: node)
        guard case let .sgd(_, momentum, false) = update.rule else {
            preconditionFailure("UpdateFusion fuses only SGD updates without Nesterov momentum")
        }
        state.steps[k] += 1
        OptimizerKernels.sgd(
            param: &variableValues[v]!, productOf: a, and: b, momentumBuffer: &state.momentum[k], lr: lr, momentum: momentum)
    }

    // MARK: Errors

    /// A graph error at `node`; for nodes built by operators, says where their inputs came from.
    static func error(at node: Node, _ reason: String) -> TandemError {
        .graph(node: node.name, reason: node.location == nil ? "\(reason) (\(node.originDescription))" : reason,
               location: node.location)
    }

    /// A kernel's error rethrown as a graph error naming the node and its line.
    static func error(_ error: TandemError, at node: Node) -> TandemError {
        let inner: TandemError
        switch error {
        case let .shapeMismatch(op, shapes, reason, _): inner = .shapeMismatch(op: op, shapes: shapes, reason: reason, location: nil)
        case let .invalidValue(op, reason, _): inner = .invalidValue(op: op, reason: reason, location: nil)
        case let .nonFinite(op, phase, shapes, _): inner = .nonFinite(op: op, phase: phase, shapes: shapes, location: nil)
        default: inner = error
        }
        return Session.error(at: node, "\(inner)")
    }

    static func uninitialized(_ variable: Node) -> TandemError {
        error(at: variable, "variable '\(variable.name)' is not initialised: run graph.initializeVariables() in this session first")
    }

    /// Checks a fed value against the node's static shape (and labels against whole numbers).
    static func validateFeed(_ value: NDArray, for node: Node, isLabels: Bool) throws(TandemError) {
        let expected = node.staticShape
        let fits = value.rank == expected.count && zip(value.shape, expected).allSatisfy { $1 == unknownDim || $0 == $1 }
        guard fits else {
            throw error(
                at: node,
                "fed a value of shape \(formatShape(value.shape)) but \(node.kindName) '\(node.name)' has shape \(formatShape(node.shape))")
        }
        if isLabels {
            let bad = value.withUnsafeBufferPointer { b in b.firstIndex { $0.rounded() != $0 || $0 < 0 } }
            if let bad {
                throw error(at: node, "label \(bad) is \(value.scalars[bad]), not a whole non-negative number")
            }
        }
    }
}
