/// An `Op` as files store it: its name plus positional attributes.
///
/// Graph files use it (JSON), and so can any exporter or tracer that needs an op's attributes by
/// position: the meaning of each list is documented per op on `Op.serialized`. Both directions
/// are exhaustive switches (over `Op` one way, over `Op.Kind` the other), so no op can be added
/// without a stored form, and `Op(serialized:)` of `op.serialized` gives `op` back for every op.
public struct SerializedOp: Codable, Hashable, Sendable {
    /// The op's name (`Op.Kind.rawValue`).
    public var name: String
    /// Integer attributes (dims, sizes, strides), in the op's order.
    public var ints: [Int]?
    /// Float attributes (scalars, slopes, eps, momentum), in the op's order.
    public var floats: [Float]?
    /// Boolean attributes (flags), in the op's order.
    public var bools: [Bool]?
    /// The steps of a fused chain, each stored as an op.
    public var steps: [SerializedOp]?

    /// Creates a stored op.
    ///
    /// - Parameters:
    ///   - name: the op's name.
    ///   - ints: integer attributes.
    ///   - floats: float attributes.
    ///   - bools: boolean attributes.
    ///   - steps: the steps of a fused chain.
    public init(name: String, ints: [Int]? = nil, floats: [Float]? = nil, bools: [Bool]? = nil, steps: [SerializedOp]? = nil) {
        self.name = name
        self.ints = ints
        self.floats = floats
        self.bools = bools
        self.steps = steps
    }
}

extension Op {
    /// The op's stored form. Attributes, by op:
    /// - `ints`: a reduction's or expand's dim (empty when nil); argmax, softmax, log_softmax,
    ///   flatten, squeeze, unsqueeze, index_select(_backward) `[dim]`; reshape the shape; permute
    ///   the dims; transpose `[dim0, dim1]`; narrow(_backward) `[dim, start, length]`; cat, stack
    ///   `[dim, count]`; cat_backward `[dim, index, count]`; conv2d(_backward_*) `[stride, padding]`;
    ///   max_pool2d(_backward) `[kernel, stride]`; avg_pool2d(_backward) `[kernel, stride, padding]`;
    ///   linear `[activation index in Activation.allCases]`; layer_norm(_backward) the normalized shape.
    /// - `floats`: add_scalar, mul_scalar, pow, bernoulli_mask, leaky_relu(_backward),
    ///   moving_average, batch_norm, batch_norm_backward_reduce and layer_norm(_backward) their
    ///   one constant; clamp(_backward) `[min, max]` (0 where absent).
    /// - `bools`: reductions `[keepDim]`; expand_like `[keepDim, mean]`; linear `[transposedWeight]`;
    ///   clamp(_backward) `[has min, has max]`; batch_norm, layer_norm(_backward) `[affine]`.
    public var serialized: SerializedOp {
        var s = SerializedOp(name: name)
        switch self {
        case .add, .sub, .mul, .div, .less, .greater, .equal, .neg, .relu, .sigmoid, .tanh, .exp, .log, .sqrt,
            .abs, .sign, .gelu, .reluBackward, .geluBackward, .reshapeLike, .broadcastLike, .reduceLike,
            .embedding, .embeddingBackward, .matmul, .batchStatistics, .batchStatisticsBackward,
            .batchNormBackwardInput, .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward,
            .binaryCrossEntropyWithLogits, .zerosLike:
            break
        case .addScalar(let v), .mulScalar(let v), .pow(let v), .bernoulliMask(let v), .leakyRelu(let v),
            .leakyReluBackward(let v), .movingAverage(let v), .batchNormBackwardReduce(let v):
            s.floats = [v]
        case let .clamp(low, high), let .clampBackward(low, high):
            s.floats = [low ?? 0, high ?? 0]
            s.bools = [low != nil, high != nil]
        case let .sum(dim, keepDim), let .mean(dim, keepDim), let .max(dim, keepDim), let .maxBackward(dim, keepDim):
            s.ints = dim.map { [$0] } ?? []
            s.bools = [keepDim]
        case let .expandLike(dim, keepDim, mean):
            s.ints = dim.map { [$0] } ?? []
            s.bools = [keepDim, mean]
        case .argmax(let dim), .softmax(let dim), .logSoftmax(let dim), .flatten(let dim), .squeeze(let dim),
            .unsqueeze(let dim), .indexSelect(let dim), .indexSelectBackward(let dim):
            s.ints = [dim]
        case .reshape(let shape), .permute(let shape): s.ints = shape
        case let .transpose(a, b): s.ints = [a, b]
        case let .narrow(dim, start, length), let .narrowBackward(dim, start, length): s.ints = [dim, start, length]
        case let .cat(dim, count), let .stack(dim, count): s.ints = [dim, count]
        case let .catBackward(dim, index, count): s.ints = [dim, index, count]
        case let .linear(transposed, activation):
            s.bools = [transposed]
            s.ints = [Activation.allCases.firstIndex(of: activation)!]
        case let .conv2d(stride, padding), let .conv2dBackwardInput(stride, padding),
            let .conv2dBackwardWeight(stride, padding):
            s.ints = [stride, padding]
        case let .maxPool2d(k, stride), let .maxPool2dBackward(k, stride): s.ints = [k, stride]
        case let .avgPool2d(k, stride, padding), let .avgPool2dBackward(k, stride, padding): s.ints = [k, stride, padding]
        case let .batchNorm(eps, affine):
            s.floats = [eps]
            s.bools = [affine]
        case let .layerNorm(shape, eps, affine), let .layerNormBackward(shape, eps, affine):
            s.ints = shape
            s.floats = [eps]
            s.bools = [affine]
        case .fusedElementwise(let steps): s.steps = steps.map { $0.op.serialized }
        }
        return s
    }

    /// Rebuilds an op from its stored form; nil when the name is unknown or the attributes do not
    /// fit it (a corrupt file).
    public init?(serialized s: SerializedOp) {
        guard let kind = Kind(rawValue: s.name) else { return nil }
        let ints = s.ints ?? [], floats = s.floats ?? [], bools = s.bools ?? []
        func scalar(_ make: (Float) -> Op) -> Op? { floats.count == 1 ? make(floats[0]) : nil }
        func dim(_ make: (Int) -> Op) -> Op? { ints.count == 1 ? make(ints[0]) : nil }
        func pair(_ make: (Int, Int) -> Op) -> Op? { ints.count == 2 ? make(ints[0], ints[1]) : nil }
        func triple(_ make: (Int, Int, Int) -> Op) -> Op? { ints.count == 3 ? make(ints[0], ints[1], ints[2]) : nil }
        /// A reduction's optional dim ([] is nil) and keepDim.
        func reduction(_ make: (Int?, Bool) -> Op) -> Op? {
            guard ints.count <= 1, bools.count == 1 else { return nil }
            return make(ints.first, bools[0])
        }
        func bounds(_ make: (Float?, Float?) -> Op) -> Op? {
            guard floats.count == 2, bools.count == 2 else { return nil }
            return make(bools[0] ? floats[0] : nil, bools[1] ? floats[1] : nil)
        }
        func normalization(_ make: (Float, Bool) -> Op) -> Op? {
            floats.count == 1 && bools.count == 1 ? make(floats[0], bools[0]) : nil
        }
        let op: Op?
        switch kind {
        case .add: op = .add
        case .sub: op = .sub
        case .mul: op = .mul
        case .div: op = .div
        case .less: op = .less
        case .greater: op = .greater
        case .equal: op = .equal
        case .neg: op = .neg
        case .relu: op = .relu
        case .sigmoid: op = .sigmoid
        case .tanh: op = .tanh
        case .exp: op = .exp
        case .log: op = .log
        case .sqrt: op = .sqrt
        case .abs: op = .abs
        case .sign: op = .sign
        case .gelu: op = .gelu
        case .reluBackward: op = .reluBackward
        case .geluBackward: op = .geluBackward
        case .reshapeLike: op = .reshapeLike
        case .broadcastLike: op = .broadcastLike
        case .reduceLike: op = .reduceLike
        case .embedding: op = .embedding
        case .embeddingBackward: op = .embeddingBackward
        case .matmul: op = .matmul
        case .batchStatistics: op = .batchStatistics
        case .batchStatisticsBackward: op = .batchStatisticsBackward
        case .batchNormBackwardInput: op = .batchNormBackwardInput
        case .crossEntropy: op = .crossEntropy
        case .crossEntropyBackward: op = .crossEntropyBackward
        case .nllLoss: op = .nllLoss
        case .nllLossBackward: op = .nllLossBackward
        case .binaryCrossEntropyWithLogits: op = .binaryCrossEntropyWithLogits
        case .zerosLike: op = .zerosLike
        case .addScalar: op = scalar { .addScalar($0) }
        case .mulScalar: op = scalar { .mulScalar($0) }
        case .pow: op = scalar { .pow($0) }
        case .bernoulliMask: op = scalar { .bernoulliMask(p: $0) }
        case .leakyRelu: op = scalar { .leakyRelu(negativeSlope: $0) }
        case .leakyReluBackward: op = scalar { .leakyReluBackward(negativeSlope: $0) }
        case .movingAverage: op = scalar { .movingAverage(momentum: $0) }
        case .batchNormBackwardReduce: op = scalar { .batchNormBackwardReduce(eps: $0) }
        case .clamp: op = bounds { .clamp(min: $0, max: $1) }
        case .clampBackward: op = bounds { .clampBackward(min: $0, max: $1) }
        case .sum: op = reduction { .sum(dim: $0, keepDim: $1) }
        case .mean: op = reduction { .mean(dim: $0, keepDim: $1) }
        case .max: op = reduction { .max(dim: $0, keepDim: $1) }
        case .maxBackward: op = reduction { .maxBackward(dim: $0, keepDim: $1) }
        case .expandLike:
            op = ints.count <= 1 && bools.count == 2 ? .expandLike(dim: ints.first, keepDim: bools[0], mean: bools[1]) : nil
        case .argmax: op = dim { .argmax(dim: $0) }
        case .softmax: op = dim { .softmax(dim: $0) }
        case .logSoftmax: op = dim { .logSoftmax(dim: $0) }
        case .flatten: op = dim { .flatten(startDim: $0) }
        case .squeeze: op = dim { .squeeze(dim: $0) }
        case .unsqueeze: op = dim { .unsqueeze(dim: $0) }
        case .indexSelect: op = dim { .indexSelect(dim: $0) }
        case .indexSelectBackward: op = dim { .indexSelectBackward(dim: $0) }
        case .reshape: op = .reshape(ints)
        case .permute: op = .permute(ints)
        case .transpose: op = pair { .transpose($0, $1) }
        case .narrow: op = triple { .narrow(dim: $0, start: $1, length: $2) }
        case .narrowBackward: op = triple { .narrowBackward(dim: $0, start: $1, length: $2) }
        case .cat: op = pair { .cat(dim: $0, count: $1) }
        case .stack: op = pair { .stack(dim: $0, count: $1) }
        case .catBackward: op = triple { .catBackward(dim: $0, index: $1, count: $2) }
        case .linear:
            guard bools.count == 1, ints.count == 1, Activation.allCases.indices.contains(ints[0]) else { return nil }
            op = .linear(transposedWeight: bools[0], activation: Activation.allCases[ints[0]])
        case .conv2d: op = pair { .conv2d(stride: $0, padding: $1) }
        case .conv2dBackwardInput: op = pair { .conv2dBackwardInput(stride: $0, padding: $1) }
        case .conv2dBackwardWeight: op = pair { .conv2dBackwardWeight(stride: $0, padding: $1) }
        case .maxPool2d: op = pair { .maxPool2d(kernelSize: $0, stride: $1) }
        case .maxPool2dBackward: op = pair { .maxPool2dBackward(kernelSize: $0, stride: $1) }
        case .avgPool2d: op = triple { .avgPool2d(kernelSize: $0, stride: $1, padding: $2) }
        case .avgPool2dBackward: op = triple { .avgPool2dBackward(kernelSize: $0, stride: $1, padding: $2) }
        case .batchNorm: op = normalization { .batchNorm(eps: $0, affine: $1) }
        case .layerNorm: op = normalization { .layerNorm(normalizedShape: ints, eps: $0, affine: $1) }
        case .layerNormBackward: op = normalization { .layerNormBackward(normalizedShape: ints, eps: $0, affine: $1) }
        case .fusedElementwise:
            var steps: [ElementwiseStep] = []
            for stored in s.steps ?? [] {
                guard let inner = Op(serialized: stored), let step = ElementwiseStep(inner) else { return nil }
                steps.append(step)
            }
            op = .fusedElementwise(steps)
        }
        guard let op else { return nil }
        self = op
    }
}
