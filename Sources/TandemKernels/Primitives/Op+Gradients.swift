extension Op {
    /// The gradient rule: given the op's inputs, its output and the gradient of the loss with
    /// respect to that output, returns the gradient for each input (nil for inputs that take
    /// none: labels, shape-only "like" inputs, non-differentiable ops).
    ///
    /// Written against `TensorExpression`, so eager autograd gets values and graph
    /// differentiation gets new nodes from the same line. Shapes come from values at run time
    /// (`reduceLike`, `expandLike`), never from numbers fixed here, because a graph's batch
    /// dimension may be unknown when the rule runs.
    ///
    /// - Parameters:
    ///   - x: the op's inputs, in order.
    ///   - y: the op's output (read only by rules such as `exp` and `softmax` that reuse it).
    ///   - g: the gradient of the loss with respect to `y`.
    ///   - location: the user's source line of the forward op, given to every backward op.
    ///   - needed: which inputs want a gradient (nil: all). Rules skip the work for the
    ///     others (returning nil), so that, for example, a first layer's input gradient (an
    ///     expensive GEMM) is never computed for data that does not require one.
    /// - Returns: one gradient per input, shaped like that input, or nil where none is taken.
    public func gradient<T: TensorExpression>(
        inputs x: [T], output y: T, grad g: T, at location: SourceLocation? = nil, needed: [Bool]? = nil
    ) -> [T?] {
        func op(_ op: Op, _ inputs: T...) -> T { T.apply(op, inputs, at: location) }
        func mul(_ a: T, _ b: T) -> T { op(.mul, a, b) }
        func when(_ i: Int, _ make: () -> T) -> T? { needed.map { $0[i] } ?? true ? make() : nil }
        switch self {
        case .add: return [when(0) { op(.reduceLike, g, x[0]) }, when(1) { op(.reduceLike, g, x[1]) }]
        case .sub: return [when(0) { op(.reduceLike, g, x[0]) }, when(1) { op(.reduceLike, op(.neg, g), x[1]) }]
        case .mul:
            return [when(0) { op(.reduceLike, mul(g, x[1]), x[0]) }, when(1) { op(.reduceLike, mul(g, x[0]), x[1]) }]
        case .div:
            // d(a/b)/db = -a/b^2 = -y/b.
            let ga = op(.div, g, x[1])
            return [when(0) { op(.reduceLike, ga, x[0]) }, when(1) { op(.reduceLike, op(.neg, mul(ga, y)), x[1]) }]
        case .neg: return [op(.neg, g)]
        case .relu: return [op(.reluBackward, g, x[0])]
        case .sigmoid: return [mul(g, mul(y, op(.addScalar(1), op(.neg, y))))]
        case .tanh: return [mul(g, op(.addScalar(1), op(.neg, mul(y, y))))]
        case .exp: return [mul(g, y)]
        case .log: return [op(.div, g, x[0])]
        case .sqrt: return [op(.mulScalar(0.5), op(.div, g, y))]
        case .addScalar: return [g]
        case .mulScalar(let s): return [op(.mulScalar(s), g)]
        case .pow(let p): return [mul(g, op(.mulScalar(p), op(.pow(p - 1), x[0])))]
        case .reluBackward: return [op(.reluBackward, g, x[1]), nil]

        case let .sum(dim, keepDim): return [op(.expandLike(dim: dim, keepDim: keepDim, mean: false), g, x[0])]
        case let .mean(dim, keepDim): return [op(.expandLike(dim: dim, keepDim: keepDim, mean: true), g, x[0])]
        case let .max(dim, keepDim): return [op(.maxBackward(dim: dim, keepDim: keepDim), g, x[0])]
        case let .expandLike(dim, keepDim, mean):
            return [op(mean ? .mean(dim: dim, keepDim: keepDim) : .sum(dim: dim, keepDim: keepDim), g), nil]

        case .reshape, .flatten: return [op(.reshapeLike, g, x[0])]
        case .reshapeLike: return [op(.reshapeLike, g, x[0]), nil]
        case let .transpose(a, b): return [op(.transpose(a, b), g)]
        case .broadcastLike: return [op(.reduceLike, g, x[0]), nil]
        case .reduceLike: return [op(.broadcastLike, g, x[0]), nil]

        case .matmul:
            return [
                when(0) { op(.reduceLike, op(.matmul, g, op(.transpose(-1, -2), x[1])), x[0]) },
                when(1) { op(.reduceLike, op(.matmul, op(.transpose(-1, -2), x[0]), g), x[1]) },
            ]
        case let .linear(transposed, activation):
            let gz = activationBackward(activation, g, y, op)
            let (input, weight) = (x[0], x[1])
            let gx = when(0) { op(.matmul, gz, transposed ? weight : op(.transpose(0, 1), weight)) }
            let gw = when(1) {
                transposed
                    ? op(.matmul, op(.transpose(0, 1), gz), input)
                    : op(.matmul, op(.transpose(0, 1), input), gz)
            }
            return [gx, gw, when(2) { op(.sum(dim: 0, keepDim: false), gz) }]

        case .softmax(let dim):
            let dot = op(.sum(dim: dim, keepDim: true), mul(g, y))
            return [mul(y, op(.sub, g, dot))]
        case .logSoftmax(let dim):
            return [op(.sub, g, mul(op(.exp, y), op(.sum(dim: dim, keepDim: true), g)))]
        case let .conv2d(stride, padding):
            return [
                when(0) { op(.conv2dBackwardInput(stride: stride, padding: padding), g, x[1], x[0]) },
                when(1) { op(.conv2dBackwardWeight(stride: stride, padding: padding), x[0], g, x[1]) },
            ]
        case let .maxPool2d(k, s): return [op(.maxPool2dBackward(kernelSize: k, stride: s), g, x[0])]
        case .crossEntropy: return [mul(op(.crossEntropyBackward, x[0], x[1]), g), nil]
        case .fusedElementwise(let steps):
            // Recompute the chain's intermediates, then apply each step's own rule in reverse.
            var values = [x[0]]
            for step in steps { values.append(op(step.op, values.last!)) }
            var grad = g
            for (i, step) in steps.enumerated().reversed() {
                grad = step.op.gradient(inputs: [values[i]], output: values[i + 1], grad: grad, at: location)[0]!
            }
            return [grad]

        case .argmax, .maxBackward, .conv2dBackwardInput, .conv2dBackwardWeight,
            .maxPool2dBackward, .crossEntropyBackward, .bernoulliMask, .zerosLike:
            return x.map { _ in nil }
        }
    }
}

/// The gradient through an activation, from its output y.
private func activationBackward<T>(
    _ activation: Activation, _ g: T, _ y: T, _ op: (Op, T...) -> T
) -> T {
    switch activation {
    case .identity: return g
    case .relu: return op(.reluBackward, g, y)  // y > 0 exactly where the pre-activation was.
    case .sigmoid: return op(.mul, g, op(.mul, y, op(.addScalar(1), op(.neg, y))))
    case .tanh: return op(.mul, g, op(.addScalar(1), op(.neg, op(.mul, y, y))))
    }
}
