/// An `Op` as it is stored in a graph file: its name plus its attributes.
///
/// Written here, not in the core, because the file format belongs to the graph frontend. Each
/// attribute list is positional and documented per op in `Op.init(serialized:)`.
struct SerializedOp: Codable, Equatable {
    var name: String
    var ints: [Int]?
    var floats: [Float]?
    var bools: [Bool]?
    var steps: [SerializedOp]?
}

extension Op {
    /// The op's stored form.
    var serialized: SerializedOp {
        var s = SerializedOp(name: name)
        switch self {
        case .addScalar(let v), .mulScalar(let v), .pow(let v), .bernoulliMask(let v): s.floats = [v]
        case let .sum(dim, keepDim), let .mean(dim, keepDim), let .max(dim, keepDim),
            let .maxBackward(dim, keepDim):
            s.ints = dim.map { [$0] } ?? []
            s.bools = [keepDim]
        case let .expandLike(dim, keepDim, mean):
            s.ints = dim.map { [$0] } ?? []
            s.bools = [keepDim, mean]
        case .argmax(let dim), .softmax(let dim), .logSoftmax(let dim): s.ints = [dim]
        case .reshape(let shape): s.ints = shape
        case .flatten(let start): s.ints = [start]
        case let .transpose(a, b): s.ints = [a, b]
        case let .linear(transposed, activation):
            s.bools = [transposed]
            s.ints = [Activation.allCases.firstIndex(of: activation)!]
        case let .conv2d(stride, padding), let .conv2dBackwardInput(stride, padding),
            let .conv2dBackwardWeight(stride, padding):
            s.ints = [stride, padding]
        case let .maxPool2d(k, stride), let .maxPool2dBackward(k, stride): s.ints = [k, stride]
        case .fusedElementwise(let steps): s.steps = steps.map { $0.op.serialized }
        default: break
        }
        return s
    }

    /// Rebuilds an op from its stored form; nil when the name or attributes are not valid.
    init?(serialized s: SerializedOp) {
        let ints = s.ints ?? [], floats = s.floats ?? [], bools = s.bools ?? []
        func dim() -> Int?? { ints.isEmpty ? .some(nil) : ints.count == 1 ? .some(ints[0]) : nil }
        switch s.name {
        case "add": self = .add
        case "sub": self = .sub
        case "mul": self = .mul
        case "div": self = .div
        case "neg": self = .neg
        case "relu": self = .relu
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "exp": self = .exp
        case "log": self = .log
        case "sqrt": self = .sqrt
        case "relu_backward": self = .reluBackward
        case "reshape_like": self = .reshapeLike
        case "broadcast_like": self = .broadcastLike
        case "sum_to_shape": self = .reduceLike
        case "matmul": self = .matmul
        case "cross_entropy": self = .crossEntropy
        case "cross_entropy_backward": self = .crossEntropyBackward
        case "zeros_like": self = .zerosLike
        case "add_scalar", "mul_scalar", "pow", "bernoulli_mask":
            guard floats.count == 1 else { return nil }
            let v = floats[0]
            self = s.name == "add_scalar" ? .addScalar(v) : s.name == "mul_scalar" ? .mulScalar(v)
                : s.name == "pow" ? .pow(v) : .bernoulliMask(p: v)
        case "sum", "mean", "max", "max_backward":
            guard let d = dim(), bools.count == 1 else { return nil }
            switch s.name {
            case "sum": self = .sum(dim: d, keepDim: bools[0])
            case "mean": self = .mean(dim: d, keepDim: bools[0])
            case "max": self = .max(dim: d, keepDim: bools[0])
            default: self = .maxBackward(dim: d, keepDim: bools[0])
            }
        case "expand_like":
            guard let d = dim(), bools.count == 2 else { return nil }
            self = .expandLike(dim: d, keepDim: bools[0], mean: bools[1])
        case "argmax", "softmax", "log_softmax", "flatten":
            guard ints.count == 1 else { return nil }
            switch s.name {
            case "argmax": self = .argmax(dim: ints[0])
            case "softmax": self = .softmax(dim: ints[0])
            case "log_softmax": self = .logSoftmax(dim: ints[0])
            default: self = .flatten(startDim: ints[0])
            }
        case "reshape": self = .reshape(ints)
        case "transpose":
            guard ints.count == 2 else { return nil }
            self = .transpose(ints[0], ints[1])
        case "linear":
            guard bools.count == 1, ints.count == 1, Activation.allCases.indices.contains(ints[0]) else { return nil }
            self = .linear(transposedWeight: bools[0], activation: Activation.allCases[ints[0]])
        case "conv2d", "conv2d_backward_input", "conv2d_backward_weight", "max_pool2d", "max_pool2d_backward":
            guard ints.count == 2 else { return nil }
            switch s.name {
            case "conv2d": self = .conv2d(stride: ints[0], padding: ints[1])
            case "conv2d_backward_input": self = .conv2dBackwardInput(stride: ints[0], padding: ints[1])
            case "conv2d_backward_weight": self = .conv2dBackwardWeight(stride: ints[0], padding: ints[1])
            case "max_pool2d": self = .maxPool2d(kernelSize: ints[0], stride: ints[1])
            default: self = .maxPool2dBackward(kernelSize: ints[0], stride: ints[1])
            }
        case "fused_elementwise":
            var steps: [ElementwiseStep] = []
            for step in s.steps ?? [] {
                guard let op = Op(serialized: step), let e = ElementwiseStep(op) else { return nil }
                steps.append(e)
            }
            self = .fusedElementwise(steps)
        default:
            return nil
        }
    }
}
