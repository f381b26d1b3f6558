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
        func row(_ pair: T, _ i: Int) -> T { op(.squeeze(dim: 0), op(.narrow(dim: 0, start: i, length: 1), pair)) }
        switch self {
        case .add: return [when(0) { op(.reduceLike, g, x[0]) }, when(1) { op(.reduceLike, g, x[1]) }]
        case .sub: return [when(0) { op(.reduceLike, g, x[0]) }, when(1) { op(.reduceLike, op(.neg, g), x[1]) }]
        case .mul:
            return [when(0) { op(.reduceLike, mul(g, x[1]), x[0]) }, when(1) { op(.reduceLike, mul(g, x[0]), x[1]) }]
        case .div:
            // d(a/b)/db = -a/b^2, from the inputs (what PyTorch saves), not from y = a/b.
            let ga = op(.div, g, x[1])
            return [when(0) { op(.reduceLike, ga, x[0]) }, when(1) { op(.reduceLike, op(.neg, op(.div, mul(ga, x[0]), x[1])), x[1]) }]
        case .neg: return [op(.neg, g)]
        case .relu: return [op(.reluBackward, g, y)]  // y > 0 exactly where x > 0; PyTorch saves y.
        case .sigmoid: return [mul(g, mul(y, op(.addScalar(1), op(.neg, y))))]
        case .tanh: return [mul(g, op(.addScalar(1), op(.neg, mul(y, y))))]
        case .exp: return [mul(g, y)]
        case .log: return [op(.div, g, x[0])]
        case .sqrt: return [op(.mulScalar(0.5), op(.div, g, y))]
        case .abs: return [mul(g, op(.sign, x[0]))]
        case .leakyRelu(let slope): return [op(.leakyReluBackward(negativeSlope: slope), g, x[0])]
        case .gelu: return [op(.geluBackward, g, x[0])]
        case let .clamp(low, high): return [op(.clampBackward(min: low, max: high), g, x[0])]
        case .addScalar: return [g]
        case .mulScalar(let s): return [op(.mulScalar(s), g)]
        case .pow(let p): return [mul(g, op(.mulScalar(p), op(.pow(p - 1), x[0])))]
        case .reluBackward: return [op(.reluBackward, g, x[1]), nil]

        case let .sum(dim, keepDim): return [op(.expandLike(dim: dim, keepDim: keepDim, mean: false), g, x[0])]
        case let .mean(dim, keepDim): return [op(.expandLike(dim: dim, keepDim: keepDim, mean: true), g, x[0])]
        case let .max(dim, keepDim): return [op(.maxBackward(dim: dim, keepDim: keepDim), g, x[0])]
        case let .expandLike(dim, keepDim, mean):
            return [op(mean ? .mean(dim: dim, keepDim: keepDim) : .sum(dim: dim, keepDim: keepDim), g), nil]

        case .reshape, .flatten, .squeeze: return [op(.reshapeLike, g, x[0])]
        case .reshapeLike: return [op(.reshapeLike, g, x[0]), nil]
        case let .transpose(a, b): return [op(.transpose(a, b), g)]
        case .broadcastLike: return [op(.reduceLike, g, x[0]), nil]
        case .reduceLike: return [op(.broadcastLike, g, x[0]), nil]
        case let .narrow(dim, start, length): return [op(.narrowBackward(dim: dim, start: start, length: length), g, x[0])]
        case .permute(let dims):
            // The inverse permutation, written with dims normalised against their own count.
            var inverse = [Int](repeating: 0, count: dims.count)
            for (i, d) in dims.enumerated() { inverse[d < 0 ? d + dims.count : d] = i }
            return [op(.permute(inverse), g)]
        case .unsqueeze(let dim): return [op(.squeeze(dim: dim), g)]
        case .indexSelect(let dim): return [when(0) { op(.indexSelectBackward(dim: dim), g, x[1], x[0]) }, nil]
        case let .cat(dim, count):
            return (0..<count).map { i in when(i) { T.apply(.catBackward(dim: dim, index: i, count: count), [g] + x, at: location) } }
        case let .stack(dim, count):
            return (0..<count).map { i in when(i) { op(.squeeze(dim: dim), op(.narrow(dim: dim, start: i, length: 1), g)) } }
        case .embedding: return [nil, when(1) { op(.embeddingBackward, g, x[0], x[1]) }]

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
        case let .avgPool2d(k, s, p): return [op(.avgPool2dBackward(kernelSize: k, stride: s, padding: p), g, x[0])]

        case .batchStatistics: return [op(.batchStatisticsBackward, g, x[0], y)]
        case let .batchNorm(eps, affine):
            // With xhat = (x - mean) / sigma, sigma = sqrt(variance + eps), and s = weight / sigma:
            // dx = g s, dmean = -s sum(g), dvariance = -(s / 2sigma) sum(g xhat), dweight =
            // sum(g xhat), dbias = sum(g) (sums per channel). In training the mean and variance
            // are `batchStatistics` of x, whose own rule carries their gradients on into x.
            let needsSums = (1..<x.count).contains { needed?[$0] ?? true }
            let sums = needsSums ? op(.batchNormBackwardReduce(eps: eps), g, x[0], x[1], x[2]) : nil
            let invstd = op(.pow(-0.5), op(.addScalar(eps), x[2]))
            let scale = affine ? mul(x[3], invstd) : invstd
            var grads: [T?] = [
                when(0) { op(.batchNormBackwardInput, g, scale) },
                when(1) { op(.neg, mul(scale, row(sums!, 0))) },
                when(2) { mul(op(.mulScalar(-0.5), mul(scale, invstd)), row(sums!, 1)) },
            ]
            if affine { grads += [when(3) { row(sums!, 1) }, when(4) { row(sums!, 0) }] }
            return grads
        case let .layerNorm(shape, eps, affine):
            guard affine else { return [op(.layerNormBackward(normalizedShape: shape, eps: eps, affine: false), g, x[0])] }
            return [
                when(0) { op(.layerNormBackward(normalizedShape: shape, eps: eps, affine: true), g, x[0], x[1]) },
                when(1) { op(.reduceLike, mul(g, op(.layerNorm(normalizedShape: shape, eps: eps, affine: false), x[0])), x[1]) },
                when(2) { op(.reduceLike, g, x[2]) },
            ]

        case .crossEntropy: return [mul(op(.crossEntropyBackward, x[0], x[1]), g), nil]
        case .nllLoss: return [mul(op(.nllLossBackward, x[0], x[1]), g), nil]
        case .binaryCrossEntropyWithLogits:
            let perElement = op(.expandLike(dim: nil, keepDim: false, mean: true), g, x[0])  // g / count
            return [
                when(0) { mul(op(.sub, op(.sigmoid, x[0]), x[1]), perElement) },
                when(1) { mul(op(.neg, x[0]), perElement) },
            ]
        case .fusedElementwise(let steps):
            // Recompute the chain's intermediates, then apply each step's own rule in reverse.
            var values = [x[0]]
            for step in steps { values.append(op(step.op, values.last!)) }
            var grad = g
            for (i, step) in steps.enumerated().reversed() {
                guard let next = step.op.gradient(inputs: [values[i]], output: values[i + 1], grad: grad, at: location)[0] else {
                    return [nil]  // a step without a gradient (sign) stops the chain's.
                }
                grad = next
            }
            return [grad]

        case .less, .greater, .equal, .sign, .clampBackward, .leakyReluBackward, .geluBackward, .argmax,
            .maxBackward, .narrowBackward, .indexSelectBackward, .catBackward, .embeddingBackward,
            .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2dBackward, .avgPool2dBackward,
            .batchStatisticsBackward, .batchNormBackwardReduce, .batchNormBackwardInput, .movingAverage,
            .layerNormBackward, .crossEntropyBackward, .nllLossBackward, .bernoulliMask, .zerosLike:
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
