/// A training value computed by a node but never differentiated: a learning rate decayed by
/// the global step, the global norm of gradients, the factor that clips them. Each evaluates a
/// core kernel (`LearningRateDecay`, `OptimizerKernels.totalNorm`, `OptimizerKernels.clipCoefficient`),
/// the same code the eager frontend runs.
public enum TrainingFunction: Equatable {
    /// A learning rate decayed by its one input, the global step (rank 0).
    case decay(LearningRateDecay)
    /// The L2 norm of all its inputs together (`tf.linalg.global_norm`), rank 0.
    case globalNorm
    /// `clipNorm / (norm + 1e-6)`, at most 1, of its one input, a global norm (rank 0).
    case clipCoefficient(clipNorm: Float)

    /// The name shown in errors and DOT output (TensorFlow's where there is one).
    public var name: String {
        switch self {
        case .decay(.exponential): return "ExponentialDecay"
        case .decay(.cosine): return "CosineDecay"
        case .globalNorm: return "global_norm"
        case .clipCoefficient: return "clip_coefficient"
        }
    }

    /// Why these input shapes do not fit (static shapes, `unknownDim` allowed), or nil.
    func invalidInputs(_ shapes: [[Int]]) -> String? {
        switch self {
        case .decay, .clipCoefficient:
            return shapes.count == 1 && shapes[0].isEmpty ? nil : "needs one rank-0 input, got shapes \(shapes.map(formatShape))"
        case .globalNorm:
            return shapes.isEmpty ? "needs at least one input" : nil
        }
    }

    /// The value (always rank 0) from the inputs' values.
    func evaluate(_ inputs: [NDArray]) -> NDArray {
        switch self {
        case .decay(let decay): return NDArray(decay.learningRate(atStep: inputs[0].scalar))
        case .globalNorm: return NDArray(OptimizerKernels.totalNorm(inputs))
        case .clipCoefficient(let clipNorm): return NDArray(OptimizerKernels.clipCoefficient(norm: inputs[0].scalar, maxNorm: clipNorm))
        }
    }
}

extension Graph {
    /// Adds a training-function node after checking its inputs; a bad input is reported (thrown
    /// inside `checked { }`) and poisons the node.
    func addTrainingFunction(_ function: TrainingFunction, _ inputs: [Node], name: String, at location: SourceLocation) -> Node {
        var error: TandemError?
        if let stranger = inputs.first(where: { !$0.belongs(to: self) }) {
            error = .graph(node: stranger.name, reason: "\(function.name) mixes nodes of two different graphs", location: location)
        } else if let reason = function.invalidInputs(inputs.map(\.staticShape)) {
            error = .shapeMismatch(op: function.name, shapes: inputs.map(\.shape), reason: reason, location: location)
        }
        if let error { ErrorScope.report(error) }
        return addNode(
            .training(function), inputs.filter { $0.belongs(to: self) }, name: name, shape: [], location: location,
            poison: error ?? inputs.lazy.compactMap(\.poison).first)
    }
}
