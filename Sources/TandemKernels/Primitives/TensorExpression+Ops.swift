// The user-facing op surface, written once for every frontend. `Tensor` (eager) and `Node`
// (graph) get these methods, operators and free functions by conforming to TensorExpression.
// Methods take `file`/`line` so errors and graph nodes can name the user's line; Swift operators
// cannot take extra arguments, so ops written with `+ - * /` carry no line.

extension TensorExpression {
    @inline(__always)
    func unary(_ op: Op, _ file: StaticString, _ line: UInt) -> Self {
        Self.apply(op, [self], at: SourceLocation(file, line))
    }

    // MARK: Operators (NumPy broadcasting)

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Self, rhs: Self) -> Self { apply(.add, [lhs, rhs], at: nil) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Self, rhs: Self) -> Self { apply(.sub, [lhs, rhs], at: nil) }
    /// Elementwise product with broadcasting.
    public static func * (lhs: Self, rhs: Self) -> Self { apply(.mul, [lhs, rhs], at: nil) }
    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Self, rhs: Self) -> Self { apply(.div, [lhs, rhs], at: nil) }
    /// Negation.
    public static prefix func - (x: Self) -> Self { apply(.neg, [x], at: nil) }

    /// Adds a scalar to every element.
    public static func + (lhs: Self, rhs: Float) -> Self { apply(.addScalar(rhs), [lhs], at: nil) }
    /// Adds a scalar to every element.
    public static func + (lhs: Float, rhs: Self) -> Self { apply(.addScalar(lhs), [rhs], at: nil) }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Self, rhs: Float) -> Self { apply(.addScalar(-rhs), [lhs], at: nil) }
    /// Subtracts every element from a scalar.
    public static func - (lhs: Float, rhs: Self) -> Self {
        apply(.addScalar(lhs), [apply(.neg, [rhs], at: nil)], at: nil)
    }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Self, rhs: Float) -> Self { apply(.mulScalar(rhs), [lhs], at: nil) }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Float, rhs: Self) -> Self { apply(.mulScalar(lhs), [rhs], at: nil) }
    /// Divides every element by a scalar.
    public static func / (lhs: Self, rhs: Float) -> Self { apply(.mulScalar(1 / rhs), [lhs], at: nil) }
    /// Divides a scalar by every element.
    public static func / (lhs: Float, rhs: Self) -> Self {
        apply(.mulScalar(lhs), [apply(.pow(-1), [rhs], at: nil)], at: nil)
    }

    // MARK: Named arithmetic (with source lines)

    /// Elementwise sum with broadcasting (`+`, but errors name your line).
    public func adding(_ other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.add, [self, other], at: SourceLocation(file, line))
    }
    /// Elementwise difference with broadcasting (`-`, but errors name your line).
    public func subtracting(_ other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.sub, [self, other], at: SourceLocation(file, line))
    }
    /// Elementwise product with broadcasting (`*`, but errors name your line).
    public func multiplying(by other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.mul, [self, other], at: SourceLocation(file, line))
    }
    /// Elementwise quotient with broadcasting (`/`, but errors name your line).
    public func dividing(by other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.div, [self, other], at: SourceLocation(file, line))
    }

    // MARK: Elementwise functions

    /// max(x, 0).
    public func relu(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.relu, file, line) }
    /// 1 / (1 + exp(-x)).
    public func sigmoid(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.sigmoid, file, line) }
    /// The hyperbolic tangent.
    public func tanh(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.tanh, file, line) }
    /// e^x.
    public func exp(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.exp, file, line) }
    /// The natural logarithm (NaN for negative inputs, -inf at 0, as PyTorch).
    public func log(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.log, file, line) }
    /// x raised to a constant power.
    public func pow(_ exponent: Float, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.pow(exponent), file, line)
    }
    /// The square root.
    public func sqrt(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.sqrt, file, line) }
    /// The absolute value |x| (`torch.abs`); its gradient at 0 is 0, as PyTorch's.
    public func abs(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.abs, file, line) }
    /// 1 where x > 0, -1 where x < 0, 0 at 0 (`torch.sign`; no gradient).
    public func sign(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.sign, file, line) }
    /// x limited to [min, max] (`torch.clamp`); a nil bound does not limit, but at least one must
    /// be given. The gradient passes where x is strictly inside the bounds.
    public func clamp(min: Float? = nil, max: Float? = nil, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.clamp(min: min, max: max), file, line)
    }
    /// x where x > 0, else x * negativeSlope (`F.leaky_relu`, default slope 0.01).
    public func leakyRelu(negativeSlope: Float = 0.01, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.leakyRelu(negativeSlope: negativeSlope), file, line)
    }
    /// x Φ(x), Φ the standard normal CDF: the exact (erf) form of GELU (`F.gelu`, approximate "none").
    public func gelu(file: StaticString = #fileID, line: UInt = #line) -> Self { unary(.gelu, file, line) }

    // MARK: Comparisons (1 where true, 0 elsewhere; no gradient)

    /// 1 where self < other, else 0, with broadcasting (`torch.lt`).
    public func less(_ other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.less, [self, other], at: SourceLocation(file, line))
    }
    /// 1 where self > other, else 0, with broadcasting (`torch.gt`).
    public func greater(_ other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.greater, [self, other], at: SourceLocation(file, line))
    }
    /// 1 where self == other, else 0, with broadcasting (`torch.eq`).
    public func equal(_ other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.equal, [self, other], at: SourceLocation(file, line))
    }

    // MARK: Reductions

    /// The sum of all elements (rank 0).
    public func sum(file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.sum(dim: nil, keepDim: false), file, line)
    }
    /// The sum along one dimension (negative counts from the end).
    public func sum(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.sum(dim: dim, keepDim: keepDim), file, line)
    }
    /// The mean of all elements (rank 0).
    public func mean(file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.mean(dim: nil, keepDim: false), file, line)
    }
    /// The mean along one dimension.
    public func mean(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.mean(dim: dim, keepDim: keepDim), file, line)
    }
    /// The largest element (rank 0).
    public func max(file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.max(dim: nil, keepDim: false), file, line)
    }
    /// The largest values along one dimension (PyTorch's `max(dim).values`).
    public func max(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.max(dim: dim, keepDim: keepDim), file, line)
    }
    /// The index of the largest value along one dimension, as a float (not differentiable).
    public func argmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.argmax(dim: dim), file, line)
    }

    // MARK: Shape

    /// The same elements in a new shape; one dimension may be -1 (inferred).
    public func reshape(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.reshape(shape), file, line)
    }
    /// Swaps two dimensions (negative dims count from the end).
    public func transpose(_ dim0: Int, _ dim1: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.transpose(dim0, dim1), file, line)
    }
    /// Merges the dimensions from `startDim` to the last into one.
    public func flatten(startDim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.flatten(startDim: startDim), file, line)
    }

    // MARK: Linear algebra and activations over a dimension

    /// The matrix product (batched over leading dimensions).
    public func matmul(_ other: Self, file: StaticString = #fileID, line: UInt = #line) -> Self {
        Self.apply(.matmul, [self, other], at: SourceLocation(file, line))
    }
    /// exp(x) / sum(exp(x)) along `dim`, computed stably.
    public func softmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.softmax(dim: dim), file, line)
    }
    /// log(softmax(x)) along `dim`, computed stably.
    public func logSoftmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Self {
        unary(.logSoftmax(dim: dim), file, line)
    }
}

// MARK: Free functions

/// The matrix product of two values (batched over leading dimensions).
public func matmul<T: TensorExpression>(_ a: T, _ b: T, file: StaticString = #fileID, line: UInt = #line) -> T {
    T.apply(.matmul, [a, b], at: SourceLocation(file, line))
}

/// An affine map `input weightᵀ + bias` with PyTorch's weight layout `[out, in]`, as one fused
/// kernel (`torch.nn.functional.linear`).
public func linear<T: TensorExpression>(
    _ input: T, weight: T, bias: T, activation: Activation = .identity,
    file: StaticString = #fileID, line: UInt = #line
) -> T {
    T.apply(.linear(transposedWeight: true, activation: activation), [input, weight, bias], at: SourceLocation(file, line))
}

/// 2-D cross-correlation over NCHW input with an OIHW weight and an optional bias `[O]`.
public func conv2d<T: TensorExpression>(
    _ input: T, weight: T, bias: T? = nil, stride: Int = 1, padding: Int = 0,
    file: StaticString = #fileID, line: UInt = #line
) -> T {
    let location = SourceLocation(file, line)
    let out = T.apply(.conv2d(stride: stride, padding: padding), [input, weight], at: location)
    guard let bias else { return out }
    return T.apply(.add, [out, T.apply(.reshape([1, -1, 1, 1]), [bias], at: location)], at: location)
}

/// The maximum of each `kernelSize` x `kernelSize` window, stepping by `stride` (default: the
/// kernel size, as PyTorch).
public func maxPool2d<T: TensorExpression>(
    _ input: T, kernelSize: Int, stride: Int? = nil, file: StaticString = #fileID, line: UInt = #line
) -> T {
    T.apply(.maxPool2d(kernelSize: kernelSize, stride: stride ?? kernelSize), [input], at: SourceLocation(file, line))
}

/// Cross-entropy between logits `[N, C]` and integer class labels `[N]`, averaged over the batch
/// (`torch.nn.functional.cross_entropy`).
public func crossEntropy<T: TensorExpression>(
    _ logits: T, _ labels: T, file: StaticString = #fileID, line: UInt = #line
) -> T {
    T.apply(.crossEntropy, [logits, labels], at: SourceLocation(file, line))
}

/// The mean squared error between two values of the same shape.
public func mseLoss<T: TensorExpression>(
    _ prediction: T, _ target: T, file: StaticString = #fileID, line: UInt = #line
) -> T {
    let location = SourceLocation(file, line)
    let diff = T.apply(.sub, [prediction, target], at: location)
    return T.apply(.mean(dim: nil, keepDim: false), [T.apply(.mul, [diff, diff], at: location)], at: location)
}

/// Zeroes each element with probability `p` and scales the rest by 1 / (1 - p) (inverted
/// dropout, as PyTorch in training mode). The mask comes from the global generator.
public func dropout<T: TensorExpression>(
    _ input: T, p: Float, file: StaticString = #fileID, line: UInt = #line
) -> T {
    let location = SourceLocation(file, line)
    let mask = T.apply(.bernoulliMask(p: p), [input], at: location)
    return T.apply(.mul, [input, mask], at: location)
}
