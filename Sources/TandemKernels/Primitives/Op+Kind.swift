extension Op {
    /// An op's case without its attributes; the raw value is the op's name as errors, graphs,
    /// reports and files spell it (PyTorch's spelling where it has one).
    ///
    /// `Op.kind` and `Op(kind:attributes:)` (`Op+Serialization.swift`) both switch over it with no
    /// `default`, so a new case cannot be added without a name and a stored form.
    public enum Kind: String, CaseIterable, Sendable {
        case add, sub, mul, div, less, greater, equal
        case neg, relu, sigmoid, tanh, exp, log, sqrt, abs, sign, gelu, clamp, pow
        case leakyRelu = "leaky_relu", addScalar = "add_scalar", mulScalar = "mul_scalar"
        case reluBackward = "relu_backward", clampBackward = "clamp_backward"
        case leakyReluBackward = "leaky_relu_backward", geluBackward = "gelu_backward"
        case sum, mean, max, argmax
        case expandLike = "expand_like", maxBackward = "max_backward"
        case reshape, flatten, transpose, narrow, permute, squeeze, unsqueeze
        case reshapeLike = "reshape_like", broadcastLike = "broadcast_like", reduceLike = "sum_to_shape"
        case narrowBackward = "narrow_backward"
        case indexSelect = "index_select", indexSelectBackward = "index_select_backward"
        case cat, stack, embedding
        case catBackward = "cat_backward", embeddingBackward = "embedding_backward"
        case matmul, linear, softmax, conv2d
        case logSoftmax = "log_softmax"
        case conv2dBackwardInput = "conv2d_backward_input", conv2dBackwardWeight = "conv2d_backward_weight"
        case maxPool2d = "max_pool2d", maxPool2dBackward = "max_pool2d_backward"
        case avgPool2d = "avg_pool2d", avgPool2dBackward = "avg_pool2d_backward"
        case batchStatistics = "batch_statistics", batchStatisticsBackward = "batch_statistics_backward"
        case batchNorm = "batch_norm", batchNormBackwardReduce = "batch_norm_backward_reduce"
        case batchNormBackwardInput = "batch_norm_backward_input", movingAverage = "moving_average"
        case layerNorm = "layer_norm", layerNormBackward = "layer_norm_backward"
        case crossEntropy = "cross_entropy", crossEntropyBackward = "cross_entropy_backward"
        case nllLoss = "nll_loss", nllLossBackward = "nll_loss_backward"
        case binaryCrossEntropyWithLogits = "binary_cross_entropy_with_logits"
        case bernoulliMask = "bernoulli_mask", zerosLike = "zeros_like", fusedElementwise = "fused_elementwise"
    }

    /// The op's case without its attributes.
    public var kind: Kind {
        switch self {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .less: return .less
        case .greater: return .greater
        case .equal: return .equal
        case .neg: return .neg
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        case .exp: return .exp
        case .log: return .log
        case .sqrt: return .sqrt
        case .abs: return .abs
        case .sign: return .sign
        case .leakyRelu: return .leakyRelu
        case .gelu: return .gelu
        case .clamp: return .clamp
        case .addScalar: return .addScalar
        case .mulScalar: return .mulScalar
        case .pow: return .pow
        case .reluBackward: return .reluBackward
        case .clampBackward: return .clampBackward
        case .leakyReluBackward: return .leakyReluBackward
        case .geluBackward: return .geluBackward
        case .sum: return .sum
        case .mean: return .mean
        case .max: return .max
        case .argmax: return .argmax
        case .expandLike: return .expandLike
        case .maxBackward: return .maxBackward
        case .reshape: return .reshape
        case .flatten: return .flatten
        case .reshapeLike: return .reshapeLike
        case .transpose: return .transpose
        case .broadcastLike: return .broadcastLike
        case .reduceLike: return .reduceLike
        case .narrow: return .narrow
        case .narrowBackward: return .narrowBackward
        case .permute: return .permute
        case .squeeze: return .squeeze
        case .unsqueeze: return .unsqueeze
        case .indexSelect: return .indexSelect
        case .indexSelectBackward: return .indexSelectBackward
        case .cat: return .cat
        case .catBackward: return .catBackward
        case .stack: return .stack
        case .embedding: return .embedding
        case .embeddingBackward: return .embeddingBackward
        case .matmul: return .matmul
        case .linear: return .linear
        case .softmax: return .softmax
        case .logSoftmax: return .logSoftmax
        case .conv2d: return .conv2d
        case .conv2dBackwardInput: return .conv2dBackwardInput
        case .conv2dBackwardWeight: return .conv2dBackwardWeight
        case .maxPool2d: return .maxPool2d
        case .maxPool2dBackward: return .maxPool2dBackward
        case .avgPool2d: return .avgPool2d
        case .avgPool2dBackward: return .avgPool2dBackward
        case .batchStatistics: return .batchStatistics
        case .batchStatisticsBackward: return .batchStatisticsBackward
        case .batchNorm: return .batchNorm
        case .batchNormBackwardReduce: return .batchNormBackwardReduce
        case .batchNormBackwardInput: return .batchNormBackwardInput
        case .movingAverage: return .movingAverage
        case .layerNorm: return .layerNorm
        case .layerNormBackward: return .layerNormBackward
        case .crossEntropy: return .crossEntropy
        case .crossEntropyBackward: return .crossEntropyBackward
        case .nllLoss: return .nllLoss
        case .nllLossBackward: return .nllLossBackward
        case .binaryCrossEntropyWithLogits: return .binaryCrossEntropyWithLogits
        case .bernoulliMask: return .bernoulliMask
        case .zerosLike: return .zerosLike
        case .fusedElementwise: return .fusedElementwise
        }
    }

    /// The op's name as shown in errors, graphs and reports (PyTorch's spelling where it has one).
    public var name: String { kind.rawValue }

    /// The name with its attributes, for example `sum(dim: 1, keepDim: true)`.
    public var description: String {
        func bound(_ value: Float?) -> String { value.map { "\($0)" } ?? "nil" }
        switch self {
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt,
            .abs, .sign, .gelu, .reluBackward, .geluBackward, .reshapeLike, .broadcastLike, .reduceLike,
            .embedding, .embeddingBackward, .matmul, .batchStatistics, .batchStatisticsBackward,
            .batchNormBackwardInput, .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward,
            .binaryCrossEntropyWithLogits, .zerosLike:
            return name
        case .addScalar(let s), .mulScalar(let s): return "\(name)(\(s))"
        case .pow(let p): return "pow(\(p))"
        case .leakyRelu(let slope), .leakyReluBackward(let slope): return "\(name)(negativeSlope: \(slope))"
        case let .clamp(low, high), let .clampBackward(low, high): return "\(name)(min: \(bound(low)), max: \(bound(high)))"
        case let .sum(dim, keepDim), let .mean(dim, keepDim), let .max(dim, keepDim), let .maxBackward(dim, keepDim):
            return dim.map { "\(name)(dim: \($0), keepDim: \(keepDim))" } ?? name
        case let .expandLike(dim, keepDim, mean):
            return "\(name)(dim: \(dim.map(String.init) ?? "nil"), keepDim: \(keepDim), mean: \(mean))"
        case .argmax(let dim), .softmax(let dim), .logSoftmax(let dim), .squeeze(let dim), .unsqueeze(let dim),
            .indexSelect(let dim), .indexSelectBackward(let dim):
            return "\(name)(dim: \(dim))"
        case .reshape(let shape): return "reshape(\(formatShape(shape)))"
        case .flatten(let start): return "flatten(startDim: \(start))"
        case let .transpose(a, b): return "transpose(\(a), \(b))"
        case let .narrow(dim, start, length), let .narrowBackward(dim, start, length):
            return "\(name)(dim: \(dim), start: \(start), length: \(length))"
        case .permute(let dims): return "permute(\(formatShape(dims)))"
        case let .cat(dim, count), let .stack(dim, count): return "\(name)(dim: \(dim), count: \(count))"
        case let .catBackward(dim, index, count): return "\(name)(dim: \(dim), index: \(index), count: \(count))"
        case let .linear(transposed, activation):
            return "linear(\(transposed ? "x w^T" : "x w") + b, \(activation.rawValue))"
        case let .conv2d(stride, padding), let .conv2dBackwardInput(stride, padding),
            let .conv2dBackwardWeight(stride, padding):
            return "\(name)(stride: \(stride), padding: \(padding))"
        case let .maxPool2d(k, s), let .maxPool2dBackward(k, s): return "\(name)(kernel: \(k), stride: \(s))"
        case let .avgPool2d(k, s, p), let .avgPool2dBackward(k, s, p):
            return "\(name)(kernel: \(k), stride: \(s), padding: \(p))"
        case let .batchNorm(eps, affine): return "batch_norm(eps: \(eps), affine: \(affine))"
        case .batchNormBackwardReduce(let eps): return "\(name)(eps: \(eps))"
        case .movingAverage(let momentum): return "moving_average(momentum: \(momentum))"
        case let .layerNorm(shape, eps, affine), let .layerNormBackward(shape, eps, affine):
            return "\(name)(normalizedShape: \(formatShape(shape)), eps: \(eps), affine: \(affine))"
        case .bernoulliMask(let p): return "bernoulli_mask(p: \(p))"
        case .fusedElementwise(let steps):
            return "fused(" + steps.map { $0.op.description }.joined(separator: " -> ") + ")"
        }
    }
}
