/// The update an optimizer's train op applies; the session keeps its slots (momentum buffers,
/// Adam moments, step count).
public final class OptimizerUpdate {
    /// The update formula and its hyperparameters.
    public enum Rule: Equatable {
        /// torch.optim.SGD with dampening 0 (momentum 0 is plain gradient descent), which is
        /// also tf.train.MomentumOptimizer's update, Nesterov's included.
        case sgd(learningRate: Float, momentum: Float, nesterov: Bool)
        /// torch.optim.Adam.
        case adam(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float)
        /// torch.optim.RMSprop without weight decay or centering (`alpha` = `decay`).
        case rmsprop(learningRate: Float, decay: Float, momentum: Float, epsilon: Float)
        /// torch.optim.AdamW (decoupled weight decay, scaled by the learning rate).
        case adamW(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

        /// Whether the update reads its step count (Adam's bias corrections), so restored
        /// moments need the step too.
        var countsSteps: Bool {
            switch self {
            case .adam, .adamW: return true
            case .sgd, .rmsprop: return false
            }
        }
    }

    /// The update formula.
    public let rule: Rule
    /// The variable indices updated, aligned with the train op's inputs (their gradients).
    public let variables: [Int]
    /// Whether the learning rate is the train op's last input (a rank-0 node, evaluated at every
    /// step: a decayed rate, a placeholder) rather than the rule's number.
    public let learningRateIsInput: Bool
    /// The global step variable the train op increments after its updates (nil: none).
    public let globalStep: Int?

    /// Creates an update of `variables` (indices into the graph's variables) by `rule`.
    ///
    /// - Parameters:
    ///   - rule: the update formula.
    ///   - variables: indices into the graph's variables, one per gradient input of the train op.
    ///   - learningRateIsInput: the rate is the train op's input after the gradients.
    ///   - globalStep: the index of a rank-0 variable to increment after each step.
    public init(rule: Rule, variables: [Int], learningRateIsInput: Bool = false, globalStep: Int? = nil) {
        self.rule = rule
        self.variables = variables
        self.learningRateIsInput = learningRateIsInput
        self.globalStep = globalStep
    }

    /// The TensorFlow name of the optimizer, used as the train op's name.
    public var optimizerName: String {
        switch rule {
        case let .sgd(_, momentum, _): return momentum == 0 ? "GradientDescent" : "Momentum"
        case .adam: return "Adam"
        case .rmsprop: return "RMSProp"
        case .adamW: return "AdamW"
        }
    }

    /// The rule's learning rate: the number it holds, or `input` (the value of the rate node).
    func learningRate(input: NDArray?) -> Float {
        if let input { return input.scalar }
        switch rule {
        case let .sgd(lr, _, _), let .adam(lr, _, _, _), let .rmsprop(lr, _, _, _), let .adamW(lr, _, _, _, _): return lr
        }
    }
}

/// An optimizer whose `minimize(_:)` adds a train op to the graph (`tf.train.Optimizer`).
///
/// Each optimizer's update is `OptimizerKernels`' torch.optim formula, the one the eager
/// optimizers call, so the two frontends step identically from the same weights and data.
/// The learning rate is a number, or a rank-0 node evaluated at every step (`exponentialDecay`,
/// `cosineDecay`, a placeholder), as TF1 optimizers accept a tensor.
public protocol TrainingOptimizer {
    /// The update rule the train op applies.
    var rule: OptimizerUpdate.Rule { get }
    /// The learning rate as a rank-0 node, when it is one (the rule's number is then unused).
    var learningRateNode: Node? { get }
}

extension TrainingOptimizer {
    /// No learning-rate node: the rule's number is the rate.
    public var learningRateNode: Node? { nil }
}

extension TrainingOptimizer {
    /// Gradients of `loss` with respect to `variables` (default: every trainable variable the
    /// loss depends on), as (gradient, variable) pairs (`compute_gradients`).
    ///
    /// - Parameters:
    ///   - loss: the value to minimise.
    ///   - variables: the variables to differentiate with respect to (nil: every trainable variable the loss depends on).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func computeGradients(
        _ loss: Node, variables: [Node]? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> [(gradient: Node, variable: Node)] {
        let graph = loss.graph
        let chosen = variables ?? trainableVariables(reachedBy: loss)
        let grads = graph.gradients(of: loss, with: chosen, file: file, line: line)
        return Array(zip(grads, chosen)).map { (gradient: $0.0, variable: $0.1) }
    }

    /// A train op applying the update to each variable from its gradient (`apply_gradients`).
    ///
    /// With `globalStep`, the train op adds one to it after the updates, as TF1's does; a decayed
    /// learning rate built on the same variable (`exponentialDecay`, `cosineDecay`) then follows
    /// the steps taken. Within a run, the rate is computed from the step before the increment.
    ///
    /// - Parameters:
    ///   - pairs: (gradient, variable) pairs, usually from `computeGradients` (possibly clipped or scaled).
    ///   - globalStep: a rank-0 variable to increment, usually `graph.globalStep()`.
    ///   - name: the train op's name (default: the optimizer's TensorFlow name).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func applyGradients(
        _ pairs: [(gradient: Node, variable: Node)], globalStep: Node? = nil, name: String? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        let location = SourceLocation(file, line)
        guard let graph = pairs.first?.variable.graph ?? learningRateNode?.graph ?? globalStep?.graph else {
            // No node says which graph the train op belongs to: the error's node sits in a graph of its own.
            return Node.failure(.invalidValue(op: "applyGradients", reason: "no (gradient, variable) pairs", location: location))
        }
        if pairs.isEmpty {
            let error = TandemError.invalidValue(op: "applyGradients", reason: "no (gradient, variable) pairs", location: location)
            ErrorScope.report(error)
            return graph.addNode(.group, [], name: name ?? "noop", shape: [0], location: location, poison: error)
        }
        var problem: String?
        var indices: [Int] = []
        for pair in pairs {
            guard case .variable(let index) = pair.variable.kind, pair.variable.belongs(to: graph) else {
                problem = "'\(pair.variable.name)' is not a variable of the graph of '\(pairs[0].variable.name)'"
                break
            }
            guard pair.gradient.belongs(to: graph) else {
                problem = "the gradient '\(pair.gradient.name)' of '\(pair.variable.name)' belongs to another graph"
                break
            }
            indices.append(index)
        }
        var stepIndex: Int?
        if let globalStep, problem == nil {
            if case .variable(let index) = globalStep.kind, globalStep.belongs(to: graph), globalStep.staticShape.isEmpty {
                stepIndex = index
            } else {
                problem = "the global step '\(globalStep.name)' must be a rank-0 variable of the same graph (graph.globalStep())"
            }
        }
        if let rate = learningRateNode, problem == nil, !rate.belongs(to: graph) || !rate.staticShape.isEmpty {
            problem = "the learning rate '\(rate.name)' must be a rank-0 node of the same graph, "
                + "got shape \(formatShape(rate.shape))\(rate.belongs(to: graph) ? "" : " in another graph")"
        }
        var inputs = pairs.map(\.gradient)
        if let rate = learningRateNode { inputs.append(rate) }
        let update = OptimizerUpdate(
            rule: rule, variables: indices, learningRateIsInput: learningRateNode != nil, globalStep: stepIndex)
        if let problem {
            let error = TandemError.graph(node: name ?? update.optimizerName, reason: "applyGradients: \(problem)", location: location)
            ErrorScope.report(error)
            return graph.addNode(
                .update(update), inputs.filter { $0.belongs(to: graph) }, name: name ?? update.optimizerName, shape: [0],
                location: location, poison: error)
        }
        return graph.addNode(
            .update(update), inputs, name: name ?? update.optimizerName, shape: [0], location: location,
            poison: inputs.lazy.compactMap(\.poison).first)
    }

    /// A train op that takes one optimizer step on `loss` for every trainable variable it
    /// depends on; fetch it in `Session.run` to train.
    ///
    /// - Parameters:
    ///   - loss: the value to minimise.
    ///   - globalStep: a rank-0 variable the train op increments, usually `graph.globalStep()`.
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func minimize(
        _ loss: Node, globalStep: Node? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        let pairs = computeGradients(loss, file: file, line: line)
        if pairs.isEmpty {
            loss.graph.warn("minimize: '\(loss.name)' depends on no trainable variable; the train op does nothing")
            return loss.graph.group([], name: "noop", file: file, line: line)
        }
        return applyGradients(pairs, globalStep: globalStep, file: file, line: line)
    }

    private func trainableVariables(reachedBy loss: Node) -> [Node] {
        var seen = Set<Int>()
        var stack = [loss]
        var found: [Node] = []
        while let node = stack.popLast() {
            guard seen.insert(node.id).inserted else { continue }
            if case .variable(let index) = node.kind, loss.graph.isTrainable[index] { found.append(node) }
            stack.append(contentsOf: node.inputs)
        }
        return found.sorted { $0.id < $1.id }
    }
}
