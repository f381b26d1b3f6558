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
    case neg, relu, sigmoid, tanh, exp, log, sqrt
    /// The step of the ``Op`` case of the same name, with its constant (``Op/addScalar(_:)``, ...).
    case addScalar(Float), mulScalar(Float), pow(Float)

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
        case .addScalar(let s): return .addScalar(s)
        case .mulScalar(let s): return .mulScalar(s)
        case .pow(let p): return .pow(p)
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
        case .addScalar(let s): self = .addScalar(s)
        case .mulScalar(let s): self = .mulScalar(s)
        case .pow(let p): self = .pow(p)
        default: return nil
        }
    }
}

/// The primitive table: every operation Tandem can compute, defined once.
///
/// Each case has a shape rule (`Op+ShapeRules.swift`), a forward kernel (`Op+Forward.swift`,
/// dispatching to `Kernels/`) and a gradient rule (`Op+Gradients.swift`) written against
/// `TensorExpression`, so the eager `Tensor` and the graph `Node` share all three.
///
/// Inputs are listed in the comment of each case. "like" inputs are used only for their shape at
/// run time, which lets gradient rules work on graphs whose batch dimension is unknown.
public enum Op: Hashable, Sendable, CustomStringConvertible {
    // Elementwise with NumPy broadcasting.
    /// (a, b): a + b.
    case add
    /// (a, b): a - b.
    case sub
    /// (a, b): a * b.
    case mul
    /// (a, b): a / b.
    case div
    // Elementwise unary.
    /// (x): -x.
    case neg
    /// (x): max(0, x).
    case relu
    /// (x): 1 / (1 + exp(-x)).
    case sigmoid
    /// (x): the hyperbolic tangent.
    case tanh
    /// (x): e^x.
    case exp
    /// (x): the natural logarithm.
    case log
    /// (x): the square root.
    case sqrt
    /// x + s.
    case addScalar(Float)
    /// x * s.
    case mulScalar(Float)
    /// x ^ p.
    case pow(Float)
    /// (g, x) -> g where x > 0, else 0: the adjoint of relu.
    case reluBackward

    // Reductions over all elements (dim nil) or one dimension.
    /// (x): the sum over all elements, or along `dim` (kept with size 1 when `keepDim`).
    case sum(dim: Int?, keepDim: Bool)
    /// (x): the mean over all elements, or along `dim` (kept with size 1 when `keepDim`).
    case mean(dim: Int?, keepDim: Bool)
    /// (x): the maximum over all elements, or along `dim` (kept with size 1 when `keepDim`).
    case max(dim: Int?, keepDim: Bool)
    /// The index of the largest element along `dim`, as a float.
    case argmax(dim: Int)
    /// (g, like): broadcasts g back over the dims a sum (or mean, scaled by 1/n) removed.
    case expandLike(dim: Int?, keepDim: Bool, mean: Bool)
    /// (g, x): routes g to the first position of the maximum, zeros elsewhere.
    case maxBackward(dim: Int?, keepDim: Bool)

    // Shape: views where the layout allows.
    /// (x): a new shape with the same elements; one dimension may be -1.
    case reshape([Int])
    /// (x): merges dims from `startDim` to the end into one.
    case flatten(startDim: Int)
    /// (x, like): x reshaped to like's shape.
    case reshapeLike
    /// (x): swaps two dimensions (negative dims count from the end).
    case transpose(Int, Int)
    /// (x, like): x broadcast to like's shape.
    case broadcastLike
    /// (x, like): x summed down to like's shape: the adjoint of broadcasting.
    case reduceLike

    // Linear algebra.
    /// (a, b): [..., m, k] x [..., k, n]; batch dims must match or one side is a matrix.
    case matmul
    /// (x, w, b): act(x w^T + b) when `transposedWeight` (PyTorch's [out, in] weight), else
    /// act(x w + b) (Keras' [in, out] kernel). A fused kernel: one GEMM, then bias and activation
    /// in one pass.
    case linear(transposedWeight: Bool, activation: Activation)

    // Neural-network ops.
    /// (x): exp(x - max) / sum, along `dim`.
    case softmax(dim: Int)
    /// (x): x - max - log(sum(exp(x - max))), along `dim`.
    case logSoftmax(dim: Int)
    /// (x [N, C, H, W], w [O, C, KH, KW]): cross-correlation, as PyTorch's conv2d.
    case conv2d(stride: Int, padding: Int)
    /// (g, w, x): the gradient of conv2d with respect to its input.
    case conv2dBackwardInput(stride: Int, padding: Int)
    /// (x, g, w): the gradient of conv2d with respect to its weight.
    case conv2dBackwardWeight(stride: Int, padding: Int)
    /// (x [N, C, H, W]): the maximum of each window, no padding.
    case maxPool2d(kernelSize: Int, stride: Int)
    /// (g, x): routes each window's gradient to its maximum.
    case maxPool2dBackward(kernelSize: Int, stride: Int)
    /// (logits [N, C], labels [N]): mean over the batch of -log softmax(logits)[label].
    case crossEntropy
    /// (logits, labels): (softmax(logits) - onehot(labels)) / N, the gradient of crossEntropy.
    case crossEntropyBackward
    /// (x): a mask shaped like x, each element 1 / (1 - p) with probability 1 - p, else 0, drawn
    /// from the global generator (see `manualSeed`). Stateful: every evaluation draws anew.
    case bernoulliMask(p: Float)
    /// (x): zeros shaped like x.
    case zerosLike
    /// (x): a chain of unary elementwise steps computed in one pass over memory.
    case fusedElementwise([ElementwiseStep])

    /// The op's name as shown in errors, graphs and reports (PyTorch's spelling where it has one).
    public var name: String {
        switch self {
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .neg: return "neg"
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .exp: return "exp"
        case .log: return "log"
        case .sqrt: return "sqrt"
        case .addScalar: return "add_scalar"
        case .mulScalar: return "mul_scalar"
        case .pow: return "pow"
        case .reluBackward: return "relu_backward"
        case .sum: return "sum"
        case .mean: return "mean"
        case .max: return "max"
        case .argmax: return "argmax"
        case .expandLike: return "expand_like"
        case .maxBackward: return "max_backward"
        case .reshape: return "reshape"
        case .flatten: return "flatten"
        case .reshapeLike: return "reshape_like"
        case .transpose: return "transpose"
        case .broadcastLike: return "broadcast_like"
        case .reduceLike: return "sum_to_shape"
        case .matmul: return "matmul"
        case .linear: return "linear"
        case .softmax: return "softmax"
        case .logSoftmax: return "log_softmax"
        case .conv2d: return "conv2d"
        case .conv2dBackwardInput: return "conv2d_backward_input"
        case .conv2dBackwardWeight: return "conv2d_backward_weight"
        case .maxPool2d: return "max_pool2d"
        case .maxPool2dBackward: return "max_pool2d_backward"
        case .crossEntropy: return "cross_entropy"
        case .crossEntropyBackward: return "cross_entropy_backward"
        case .bernoulliMask: return "bernoulli_mask"
        case .zerosLike: return "zeros_like"
        case .fusedElementwise: return "fused_elementwise"
        }
    }

    /// The name with its attributes, for example `sum(dim: 1, keepDim: true)`.
    public var description: String {
        switch self {
        case .addScalar(let s), .mulScalar(let s): return "\(name)(\(s))"
        case .pow(let p): return "pow(\(p))"
        case let .sum(dim, keepDim), let .mean(dim, keepDim), let .max(dim, keepDim):
            return dim.map { "\(name)(dim: \($0), keepDim: \(keepDim))" } ?? name
        case .argmax(let dim): return "argmax(dim: \(dim))"
        case .reshape(let shape): return "reshape(\(formatShape(shape)))"
        case .flatten(let start): return "flatten(startDim: \(start))"
        case let .transpose(a, b): return "transpose(\(a), \(b))"
        case let .linear(transposed, activation):
            return "linear(\(transposed ? "x w^T" : "x w") + b, \(activation.rawValue))"
        case .softmax(let dim), .logSoftmax(let dim): return "\(name)(dim: \(dim))"
        case let .conv2d(stride, padding): return "conv2d(stride: \(stride), padding: \(padding))"
        case let .maxPool2d(k, s): return "max_pool2d(kernel: \(k), stride: \(s))"
        case .bernoulliMask(let p): return "bernoulli_mask(p: \(p))"
        case .fusedElementwise(let steps):
            return "fused(" + steps.map { $0.op.description }.joined(separator: " -> ") + ")"
        default: return name
        }
    }

    /// How many inputs the op takes.
    public var arity: Int {
        switch self {
        case .linear, .conv2dBackwardInput, .conv2dBackwardWeight: return 3
        case .add, .sub, .mul, .div, .reluBackward, .expandLike, .maxBackward, .reshapeLike,
            .broadcastLike, .reduceLike, .matmul, .conv2d, .maxPool2dBackward, .crossEntropy,
            .crossEntropyBackward:
            return 2
        default: return 1
        }
    }

    /// Whether a gradient can flow through the op (backward-only kernels, argmax, masks and
    /// zeros have none).
    public var isDifferentiable: Bool {
        switch self {
        case .argmax, .maxBackward, .conv2dBackwardInput, .conv2dBackwardWeight,
            .maxPool2dBackward, .crossEntropyBackward, .bernoulliMask, .zerosLike:
            return false
        default: return true
        }
    }

    /// Whether the op draws random numbers, so two evaluations differ: graph passes must not
    /// fold it into a constant or merge two copies of it.
    public var isStateful: Bool {
        if case .bernoulliMask = self { return true }
        return false
    }

    /// Whether the output may share storage with the first input (a view): a memory planner must
    /// keep that input's buffer alive as long as the output lives.
    public var mayAliasInput: Bool {
        switch self {
        case .reshape, .flatten, .reshapeLike, .transpose, .broadcastLike, .reduceLike:
            return true
        default: return false
        }
    }

    /// Whether the op is a unary elementwise map (a candidate for elementwise fusion).
    public var isUnaryElementwise: Bool { ElementwiseStep(self) != nil }
}
