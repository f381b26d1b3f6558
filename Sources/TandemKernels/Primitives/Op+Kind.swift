extension Op {
    /// An op's case without its attributes; the raw value is the op's name as errors, graphs,
    /// reports and files spell it (PyTorch's spelling where it has one).
    ///
    /// `Op.kind` and `Op(serialized:)` (`Op+Serialization.swift`) both switch over it with no
    /// `default`, so a new case cannot be added without a name and a stored form.
    public enum Kind: String, CaseIterable, Sendable {
        /// The kind of `Op.add`.
        case add
        /// The kind of `Op.sub`.
        case sub
        /// The kind of `Op.mul`.
        case mul
        /// The kind of `Op.div`.
        case div
        /// The kind of `Op.less`.
        case less
        /// The kind of `Op.greater`.
        case greater
        /// The kind of `Op.equal`.
        case equal
        /// The kind of `Op.neg`.
        case neg
        /// The kind of `Op.relu`.
        case relu
        /// The kind of `Op.sigmoid`.
        case sigmoid
        /// The kind of `Op.tanh`.
        case tanh
        /// The kind of `Op.exp`.
        case exp
        /// The kind of `Op.log`.
        case log
        /// The kind of `Op.sqrt`.
        case sqrt
        /// The kind of `Op.abs`.
        case abs
        /// The kind of `Op.sign`.
        case sign
        /// The kind of `Op.gelu`.
        case gelu
        /// The kind of `Op.clamp`.
        case clamp
        /// The kind of `Op.pow`.
        case pow
        /// The kind of `Op.leakyRelu`.
        case leakyRelu = "leaky_relu"
        /// The kind of `Op.addScalar`.
        case addScalar = "add_scalar"
        /// The kind of `Op.mulScalar`.
        case mulScalar = "mul_scalar"
        /// The kind of `Op.reluBackward`.
        case reluBackward = "relu_backward"
        /// The kind of `Op.clampBackward`.
        case clampBackward = "clamp_backward"
        /// The kind of `Op.leakyReluBackward`.
        case leakyReluBackward = "leaky_relu_backward"
        /// The kind of `Op.geluBackward`.
        case geluBackward = "gelu_backward"
        /// The kind of `Op.sum`.
        case sum
        /// The kind of `Op.mean`.
        case mean
        /// The kind of `Op.max`.
        case max
        /// The kind of `Op.argmax`.
        case argmax
        /// The kind of `Op.expandLike`.
        case expandLike = "expand_like"
        /// The kind of `Op.maxBackward`.
        case maxBackward = "max_backward"
        /// The kind of `Op.reshape`.
        case reshape
        /// The kind of `Op.flatten`.
        case flatten
        /// The kind of `Op.transpose`.
        case transpose
        /// The kind of `Op.narrow`.
        case narrow
        /// The kind of `Op.permute`.
        case permute
        /// The kind of `Op.squeeze`.
        case squeeze
        /// The kind of `Op.unsqueeze`.
        case unsqueeze
        /// The kind of `Op.reshapeLike`.
        case reshapeLike = "reshape_like"
        /// The kind of `Op.broadcastLike`.
        case broadcastLike = "broadcast_like"
        /// The kind of `Op.reduceLike`.
        case reduceLike = "sum_to_shape"
        /// The kind of `Op.narrowBackward`.
        case narrowBackward = "narrow_backward"
        /// The kind of `Op.indexSelect`.
        case indexSelect = "index_select"
        /// The kind of `Op.indexSelectBackward`.
        case indexSelectBackward = "index_select_backward"
        /// The kind of `Op.cat`.
        case cat
        /// The kind of `Op.stack`.
        case stack
        /// The kind of `Op.embedding`.
        case embedding
        /// The kind of `Op.catBackward`.
        case catBackward = "cat_backward"
        /// The kind of `Op.embeddingBackward`.
        case embeddingBackward = "embedding_backward"
        /// The kind of `Op.matmul`.
        case matmul
        /// The kind of `Op.linear`.
        case linear
        /// The kind of `Op.softmax`.
        case softmax
        /// The kind of `Op.conv2d`.
        case conv2d
        /// The kind of `Op.logSoftmax`.
        case logSoftmax = "log_softmax"
        /// The kind of `Op.conv2dBackwardInput`.
        case conv2dBackwardInput = "conv2d_backward_input"
        /// The kind of `Op.conv2dBackwardWeight`.
        case conv2dBackwardWeight = "conv2d_backward_weight"
        /// The kind of `Op.maxPool2d`.
        case maxPool2d = "max_pool2d"
        /// The kind of `Op.maxPool2dBackward`.
        case maxPool2dBackward = "max_pool2d_backward"
        /// The kind of `Op.avgPool2d`.
        case avgPool2d = "avg_pool2d"
        /// The kind of `Op.avgPool2dBackward`.
        case avgPool2dBackward = "avg_pool2d_backward"
        /// The kind of `Op.batchStatistics`.
        case batchStatistics = "batch_statistics"
        /// The kind of `Op.batchStatisticsBackward`.
        case batchStatisticsBackward = "batch_statistics_backward"
        /// The kind of `Op.batchNorm`.
        case batchNorm = "batch_norm"
        /// The kind of `Op.batchNormBackwardReduce`.
        case batchNormBackwardReduce = "batch_norm_backward_reduce"
        /// The kind of `Op.batchNormBackwardInput`.
        case batchNormBackwardInput = "batch_norm_backward_input"
        /// The kind of `Op.movingAverage`.
        case movingAverage = "moving_average"
        /// The kind of `Op.layerNorm`.
        case layerNorm = "layer_norm"
        /// The kind of `Op.layerNormBackward`.
        case layerNormBackward = "layer_norm_backward"
        /// The kind of `Op.crossEntropy`.
        case crossEntropy = "cross_entropy"
        /// The kind of `Op.crossEntropyBackward`.
        case crossEntropyBackward = "cross_entropy_backward"
        /// The kind of `Op.nllLoss`.
        case nllLoss = "nll_loss"
        /// The kind of `Op.nllLossBackward`.
        case nllLossBackward = "nll_loss_backward"
        /// The kind of `Op.binaryCrossEntropyWithLogits`.
        case binaryCrossEntropyWithLogits = "binary_cross_entropy_with_logits"
        /// The kind of `Op.bernoulliMask`.
        case bernoulliMask = "bernoulli_mask"
        /// The kind of `Op.zerosLike`.
        case zerosLike = "zeros_like"
        /// The kind of `Op.fusedElementwise`.
        case fusedElementwise = "fused_elementwise"
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
