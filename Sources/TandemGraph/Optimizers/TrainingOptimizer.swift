/// The update an optimizer's train op applies; the session keeps its slots (momentum buffers,
/// Adam moments, step count).
public final class OptimizerUpdate {
    /// The update formula and its hyperparameters.
    public enum Rule: Equatable {
        /// torch.optim.SGD (momentum 0 is plain gradient descent).
        case sgd(learningRate: Float, momentum: Float)
        /// torch.optim.Adam.
        case adam(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float)
    }

    /// The update formula.
    public let rule: Rule
    /// The variable indices updated, aligned with the train op's inputs (their gradients).
    public let variables: [Int]

    /// Creates an update of `variables` (indices into the graph's variables) by `rule`.
    ///
    /// - Parameters:
    ///   - rule: the update formula.
    ///   - variables: indices into the graph's variables, one per gradient input of the train op.
    public init(rule: Rule, variables: [Int]) {
        self.rule = rule
        self.variables = variables
    }

    /// The TensorFlow name of the optimizer, used as the train op's name.
    public var optimizerName: String {
        switch rule {
        case .sgd(_, let momentum): return momentum == 0 ? "GradientDescent" : "Momentum"
        case .adam: return "Adam"
        }
    }
}

/// An optimizer whose `minimize(_:)` adds a train op to the graph (`tf.train.Optimizer`).
///
/// Each optimizer's update is `OptimizerKernels`' torch.optim formula, the one the eager
/// optimizers call, so the two frontends step identically from the same weights and data.
public protocol TrainingOptimizer {
    /// The update rule the train op applies.
    var rule: OptimizerUpdate.Rule { get }
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
    /// - Parameters:
    ///   - pairs: (gradient, variable) pairs, usually from `computeGradients` (possibly clipped or scaled).
    ///   - name: the train op's name (default: the optimizer's TensorFlow name).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func applyGradients(
        _ pairs: [(gradient: Node, variable: Node)], name: String? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        precondition(!pairs.isEmpty, "applyGradients: no (gradient, variable) pairs")
        let graph = pairs[0].variable.graph
        let indices = pairs.map { pair -> Int in
            guard case .variable(let index) = pair.variable.kind else {
                preconditionFailure("applyGradients: '\(pair.variable.name)' is not a variable")
            }
            return index
        }
        let update = OptimizerUpdate(rule: rule, variables: indices)
        return graph.addNode(
            .update(update), pairs.map(\.gradient), name: name ?? update.optimizerName, shape: [0],
            location: SourceLocation(file, line))
    }

    /// A train op that takes one optimizer step on `loss` for every trainable variable it
    /// depends on; fetch it in `Session.run` to train.
    ///
    /// - Parameters:
    ///   - loss: the value to minimise.
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func minimize(_ loss: Node, file: StaticString = #fileID, line: UInt = #line) -> Node {
        let pairs = computeGradients(loss, file: file, line: line)
        if pairs.isEmpty {
            loss.graph.warn("minimize: '\(loss.name)' depends on no trainable variable; the train op does nothing")
            return loss.graph.group([], name: "noop", file: file, line: line)
        }
        return applyGradients(pairs, file: file, line: line)
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
