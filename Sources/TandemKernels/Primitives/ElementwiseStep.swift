/// An activation applied inside a fused kernel.
public enum Activation: String, Hashable, Sendable, CaseIterable {
    /// No activation: the affine result as is.
    case identity
    /// max(0, x).
    case relu
    /// 1 / (1 + exp(-x)).
    case sigmoid
    /// The hyperbolic tangent.
    case tanh
}

/// One step of a fused chain of unary elementwise ops (see `Op.fusedElementwise`).
public enum ElementwiseStep: Hashable, Sendable {
    /// The step of the ``Op`` case of the same name (``Op/neg``, ``Op/relu``, ...).
    case neg, relu, sigmoid, tanh, exp, log, sqrt, abs, sign, gelu
    /// The step of the ``Op`` case of the same name, with its constants (``Op/addScalar(_:)``, ...).
    case addScalar(Float), mulScalar(Float), pow(Float), leakyRelu(Float), clamp(min: Float?, max: Float?)

    /// The primitive this step performs on its own.
    public var op: Op {
        switch self {
        case .neg: return .neg
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        case .exp: return .exp
        case .log: return .log
        case .sqrt: return .sqrt
        case .abs: return .abs
        case .sign: return .sign
        case .gelu: return .gelu
        case .addScalar(let s): return .addScalar(s)
        case .mulScalar(let s): return .mulScalar(s)
        case .pow(let p): return .pow(p)
        case .leakyRelu(let slope): return .leakyRelu(negativeSlope: slope)
        case let .clamp(low, high): return .clamp(min: low, max: high)
        }
    }

    /// The step for a unary elementwise primitive, or nil if `op` is not one.
    public init?(_ op: Op) {
        switch op {
        case .neg: self = .neg
        case .relu: self = .relu
        case .sigmoid: self = .sigmoid
        case .tanh: self = .tanh
        case .exp: self = .exp
        case .log: self = .log
        case .sqrt: self = .sqrt
        case .abs: self = .abs
        case .sign: self = .sign
        case .gelu: self = .gelu
        case .addScalar(let s): self = .addScalar(s)
        case .mulScalar(let s): self = .mulScalar(s)
        case .pow(let p): self = .pow(p)
        case .leakyRelu(let slope): self = .leakyRelu(slope)
        case let .clamp(low, high): self = .clamp(min: low, max: high)
        case .add, .sub, .mul, .div, .reluBackward, .clampBackward, .leakyReluBackward, .geluBackward,
            .less, .greater, .equal, .sum, .mean, .max, .argmax, .expandLike, .maxBackward, .reshape, .flatten,
            .reshapeLike, .transpose, .broadcastLike, .reduceLike, .narrow, .narrowBackward, .permute, .squeeze,
            .unsqueeze, .indexSelect, .indexSelectBackward, .cat, .catBackward, .stack, .embedding,
            .embeddingBackward, .matmul, .linear, .softmax, .logSoftmax, .conv2d, .conv2dBackwardInput,
            .conv2dBackwardWeight, .maxPool2d, .maxPool2dBackward, .avgPool2d, .avgPool2dBackward,
            .batchStatistics, .batchStatisticsBackward, .batchNorm, .batchNormBackwardReduce,
            .batchNormBackwardInput, .movingAverage, .layerNorm, .layerNormBackward, .crossEntropy,
            .crossEntropyBackward, .nllLoss, .nllLossBackward, .binaryCrossEntropyWithLogits, .bernoulliMask,
            .zerosLike, .fusedElementwise:
            return nil
        }
    }
}
