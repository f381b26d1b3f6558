/// How a rule uses one of an op's values.
public enum ValueUse: Sendable, Equatable, Comparable {
    /// Not at all.
    case unused
    /// Only its shape (a stand-in of the same shape would do).
    case shape
    /// Its elements.
    case value
}

// Facts about each op that the frontends and the graph passes ask for. Every property is one
// exhaustive switch: a new case does not compile until each fact is decided for it.
extension Op {
    /// How many inputs the op takes.
    public var arity: Int {
        switch self {
        case .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar,
            .mulScalar, .pow, .sum, .mean, .max, .argmax, .reshape, .flatten, .transpose, .narrow, .permute,
            .squeeze, .unsqueeze, .softmax, .logSoftmax, .maxPool2d, .avgPool2d, .batchStatistics, .bernoulliMask,
            .zerosLike, .fusedElementwise:
            return 1
        case .add, .sub, .mul, .div, .less, .greater, .equal, .reluBackward, .clampBackward, .leakyReluBackward,
            .geluBackward, .expandLike, .maxBackward, .reshapeLike, .broadcastLike, .reduceLike, .narrowBackward,
            .indexSelect, .embedding, .matmul, .conv2d, .maxPool2dBackward, .avgPool2dBackward,
            .batchNormBackwardInput, .movingAverage, .crossEntropy, .crossEntropyBackward, .nllLoss,
            .nllLossBackward, .binaryCrossEntropyWithLogits:
            return 2
        case .indexSelectBackward, .embeddingBackward, .linear, .conv2dBackwardInput, .conv2dBackwardWeight,
            .batchStatisticsBackward:
            return 3
        case .batchNormBackwardReduce:
            return 4
        case .batchNorm(_, let affine): return affine ? 5 : 3
        case .layerNorm(_, _, let affine): return affine ? 3 : 1
        case .layerNormBackward(_, _, let affine): return affine ? 3 : 2
        case .cat(_, let count), .stack(_, let count): return count
        case .catBackward(_, _, let count): return count + 1
        }
    }

    /// Whether a gradient can flow through the op (backward-only kernels, comparisons, argmax,
    /// masks, zeros and running-statistic updates have none).
    public var isDifferentiable: Bool {
        switch self {
        case .add, .sub, .mul, .div, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt, .abs, .leakyRelu, .gelu,
            .clamp, .addScalar, .mulScalar, .pow, .reluBackward, .sum, .mean, .max, .expandLike, .reshape,
            .flatten, .reshapeLike, .transpose, .broadcastLike, .reduceLike, .narrow, .permute, .squeeze,
            .unsqueeze, .indexSelect, .cat, .stack, .embedding, .matmul, .linear, .softmax, .logSoftmax,
            .conv2d, .maxPool2d, .avgPool2d, .batchStatistics, .batchNorm, .layerNorm, .crossEntropy, .nllLoss,
            .binaryCrossEntropyWithLogits:
            return true
        case .fusedElementwise(let steps):
            return steps.allSatisfy { $0.op.isDifferentiable }
        case .less, .greater, .equal, .sign, .clampBackward, .leakyReluBackward, .geluBackward, .argmax,
            .maxBackward, .narrowBackward, .indexSelectBackward, .catBackward, .embeddingBackward,
            .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2dBackward, .avgPool2dBackward,
            .batchStatisticsBackward, .batchNormBackwardReduce, .batchNormBackwardInput, .movingAverage,
            .layerNormBackward, .crossEntropyBackward, .nllLossBackward, .bernoulliMask, .zerosLike:
            return false
        }
    }

    /// Whether the op draws random numbers, so two evaluations differ: graph passes must not
    /// fold it into a constant or merge two copies of it.
    public var isStateful: Bool {
        switch self {
        case .bernoulliMask: return true
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt,
            .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar, .mulScalar, .pow, .reluBackward, .clampBackward,
            .leakyReluBackward, .geluBackward, .sum, .mean, .max, .argmax, .expandLike, .maxBackward, .reshape,
            .flatten, .reshapeLike, .transpose, .broadcastLike, .reduceLike, .narrow, .narrowBackward, .permute,
            .squeeze, .unsqueeze, .indexSelect, .indexSelectBackward, .cat, .catBackward, .stack, .embedding,
            .embeddingBackward, .matmul, .linear, .softmax, .logSoftmax, .conv2d, .conv2dBackwardInput,
            .conv2dBackwardWeight, .maxPool2d, .maxPool2dBackward, .avgPool2d, .avgPool2dBackward,
            .batchStatistics, .batchStatisticsBackward, .batchNorm, .batchNormBackwardReduce,
            .batchNormBackwardInput, .movingAverage, .layerNorm, .layerNormBackward, .crossEntropy,
            .crossEntropyBackward, .nllLoss, .nllLossBackward, .binaryCrossEntropyWithLogits, .zerosLike,
            .fusedElementwise:
            return false
        }
    }

    /// Whether the output may share storage with the first input (a view): a memory planner must
    /// keep that input's buffer alive as long as the output lives.
    public var mayAliasInput: Bool {
        switch self {
        case .reshape, .flatten, .reshapeLike, .transpose, .broadcastLike, .reduceLike, .narrow, .permute,
            .squeeze, .unsqueeze, .catBackward:
            return true
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt,
            .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar, .mulScalar, .pow, .reluBackward, .clampBackward,
            .leakyReluBackward, .geluBackward, .sum, .mean, .max, .argmax, .expandLike, .maxBackward,
            .narrowBackward, .indexSelect, .indexSelectBackward, .cat, .stack, .embedding, .embeddingBackward,
            .matmul, .linear, .softmax, .logSoftmax, .conv2d, .conv2dBackwardInput, .conv2dBackwardWeight,
            .maxPool2d, .maxPool2dBackward, .avgPool2d, .avgPool2dBackward, .batchStatistics,
            .batchStatisticsBackward, .batchNorm, .batchNormBackwardReduce, .batchNormBackwardInput,
            .movingAverage, .layerNorm, .layerNormBackward, .crossEntropy, .crossEntropyBackward, .nllLoss,
            .nllLossBackward, .binaryCrossEntropyWithLogits, .bernoulliMask, .zerosLike, .fusedElementwise:
            return false
        }
    }

    /// Whether output element k depends only on the inputs' elements at index k (after
    /// broadcasting), so the output may overwrite an input of the same size that dies with the op.
    public var isElementwise: Bool {
        switch self {
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt,
            .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar, .mulScalar, .pow, .reluBackward, .clampBackward,
            .leakyReluBackward, .geluBackward, .movingAverage, .fusedElementwise:
            return true
        case .sum, .mean, .max, .argmax, .expandLike, .maxBackward, .reshape, .flatten, .reshapeLike, .transpose,
            .broadcastLike, .reduceLike, .narrow, .narrowBackward, .permute, .squeeze, .unsqueeze, .indexSelect,
            .indexSelectBackward, .cat, .catBackward, .stack, .embedding, .embeddingBackward, .matmul, .linear,
            .softmax, .logSoftmax, .conv2d, .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2d,
            .maxPool2dBackward, .avgPool2d, .avgPool2dBackward, .batchStatistics, .batchStatisticsBackward,
            .batchNorm, .batchNormBackwardReduce, .batchNormBackwardInput, .layerNorm,
            .layerNormBackward, .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward,
            .binaryCrossEntropyWithLogits, .bernoulliMask, .zerosLike:
            return false
        }
    }

    /// Whether the op is a unary elementwise map (a candidate for elementwise fusion).
    public var isUnaryElementwise: Bool { ElementwiseStep(self) != nil }

    /// Whether the forward kernel reads only the shape of input `i` (never its elements), so a
    /// pass may substitute any value of the same run-time shape.
    public func readsOnlyShape(ofInput i: Int) -> Bool {
        switch self {
        case .reshapeLike, .broadcastLike, .reduceLike, .expandLike, .narrowBackward, .avgPool2dBackward:
            return i == 1
        case .zerosLike, .bernoulliMask, .nllLossBackward:
            return i == 0
        case .conv2dBackwardInput, .conv2dBackwardWeight, .indexSelectBackward, .embeddingBackward:
            return i == 2
        case .catBackward:
            return i >= 1
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt,
            .abs, .sign, .leakyRelu, .gelu, .clamp, .addScalar, .mulScalar, .pow, .reluBackward, .clampBackward,
            .leakyReluBackward, .geluBackward, .sum, .mean, .max, .argmax, .maxBackward, .reshape, .flatten,
            .transpose, .narrow, .permute, .squeeze, .unsqueeze, .indexSelect, .cat, .stack, .embedding,
            .matmul, .linear, .softmax, .logSoftmax, .conv2d, .maxPool2d, .maxPool2dBackward, .avgPool2d,
            .batchStatistics, .batchStatisticsBackward, .batchNorm, .batchNormBackwardReduce,
            .batchNormBackwardInput, .movingAverage, .layerNorm, .layerNormBackward, .crossEntropy,
            .crossEntropyBackward, .nllLoss, .binaryCrossEntropyWithLogits, .fusedElementwise:
            return false
        }
    }

    /// The input positions whose shape alone the forward kernel reads (see `readsOnlyShape(ofInput:)`).
    public var shapeOnlyInputs: [Int] { (0..<arity).filter(readsOnlyShape(ofInput:)) }

    /// How the gradient rule uses input `i`: what backward must keep of it (PyTorch's
    /// `save_for_backward`). A test runs every rule on an instrumented `TensorExpression` and
    /// checks this against what the rule really touched.
    ///
    /// Where the choice is free, rules read what PyTorch saves (relu reads its output).
    public func gradientReads(input i: Int) -> ValueUse {
        switch self {
        case .neg, .relu, .sigmoid, .tanh, .exp, .sqrt, .addScalar, .mulScalar, .transpose, .permute,
            .unsqueeze, .stack, .softmax, .logSoftmax:
            return .unused
        case .log, .abs, .leakyRelu, .gelu, .clamp, .pow, .max, .maxPool2d, .batchStatistics, .mul, .div,
            .matmul, .conv2d, .crossEntropy, .binaryCrossEntropyWithLogits:
            return .value
        case .add, .sub, .sum, .mean, .reshape, .flatten, .narrow, .squeeze, .avgPool2d, .cat:
            return .shape
        case .reluBackward: return i == 1 ? .value : .unused
        case .expandLike: return .unused
        case .reshapeLike, .broadcastLike, .reduceLike: return i == 0 ? .shape : .unused
        case .indexSelect: return i == 0 ? .shape : .value
        case .embedding: return i == 0 ? .value : .shape
        case .nllLoss: return i == 0 ? .shape : .value
        case .linear: return i == 2 ? .unused : .value
        case .batchNorm: return i == 4 ? .unused : .value
        case .layerNorm: return i == 2 ? .shape : .value
        case .fusedElementwise(let steps): return steps.isEmpty ? .unused : .value
        case .less, .greater, .equal, .sign, .clampBackward, .leakyReluBackward, .geluBackward, .argmax,
            .maxBackward, .narrowBackward, .indexSelectBackward, .catBackward, .embeddingBackward,
            .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2dBackward, .avgPool2dBackward,
            .batchStatisticsBackward, .batchNormBackwardReduce, .batchNormBackwardInput, .movingAverage,
            .layerNormBackward, .crossEntropyBackward, .nllLossBackward, .bernoulliMask, .zerosLike:
            return .unused
        }
    }

    /// What backward must keep of input `i` when only the inputs marked in `needed` want a
    /// gradient: ``gradientReads(input:)``, refined for ops where an input's values serve only
    /// another input's gradient. PyTorch's `mul` saves `self` only when `other` requires a
    /// gradient, and so on: dropout's `x * mask` keeps the mask, not `x`, and `x @ w` for a
    /// weight that is frozen keeps `w` but not the activation `x`. The rules skip unneeded
    /// gradients (`gradient(...needed:)`), so they never read what is not kept.
    ///
    /// - Parameters:
    ///   - i: the input position.
    ///   - needed: for each input, whether it wants a gradient (`arity` entries).
    public func gradientReads(input i: Int, needed: [Bool]) -> ValueUse {
        let base = gradientReads(input: i)
        guard base == .value, needed.count == arity else { return base }
        switch self {
        case .mul, .matmul:
            // d(a*b)/da = g*b, d(a*b)/db = g*a; a matmul likewise. Input i's own gradient needs only its shape.
            return needed[1 - i] ? .value : needed[i] ? .shape : .unused
        case .linear where i < 2:
            // The input gradient reads the weight; the weight gradient reads the input.
            return needed[1 - i] ? .value : .unused
        case .div where i == 0:
            // d(a/b)/da = g/b reads only b; a is read by the gradient of b.
            return needed[1] ? .value : needed[0] ? .shape : .unused
        default:
            return base
        }
    }

    /// Whether the gradient rule reads the op's output `y` (otherwise a tape need not keep it, so
    /// its memory is freed as soon as the output tensor goes away, as PyTorch does).
    public var gradientReadsOutput: Bool {
        switch self {
        case .relu, .sigmoid, .tanh, .exp, .sqrt, .softmax, .logSoftmax, .batchStatistics:
            return true
        case .linear(_, let activation):
            return activation != .identity
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .log, .abs, .sign, .leakyRelu, .gelu, .clamp,
            .addScalar, .mulScalar, .pow, .reluBackward, .clampBackward, .leakyReluBackward, .geluBackward, .sum,
            .mean, .max, .argmax, .expandLike, .maxBackward, .reshape, .flatten, .reshapeLike, .transpose,
            .broadcastLike, .reduceLike, .narrow, .narrowBackward, .permute, .squeeze, .unsqueeze, .indexSelect,
            .indexSelectBackward, .cat, .catBackward, .stack, .embedding, .embeddingBackward, .matmul, .conv2d,
            .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2d, .maxPool2dBackward, .avgPool2d,
            .avgPool2dBackward, .batchStatisticsBackward, .batchNorm, .batchNormBackwardReduce,
            .batchNormBackwardInput, .movingAverage, .layerNorm, .layerNormBackward, .crossEntropy,
            .crossEntropyBackward, .nllLoss, .nllLossBackward, .binaryCrossEntropyWithLogits, .bernoulliMask,
            .zerosLike, .fusedElementwise:
            return false
        }
    }
}
