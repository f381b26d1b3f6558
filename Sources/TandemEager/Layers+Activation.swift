// The single-op modules apply their primitive at the caller's line (`ModuleCallSite`), so a bad
// input's error points at the user's `model(x)`, not at this file.

/// The leaky rectifier `x` for x ≥ 0, `negativeSlope · x` below (`torch.nn.LeakyReLU`).
public final class LeakyReLU: Module {
    /// The slope for negative inputs.
    public let negativeSlope: Float

    /// Creates the layer (PyTorch's default slope is 0.01).
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    /// The leaky rectifier, elementwise.
    public func forward(_ input: Tensor) -> Tensor {
        Tensor.apply(.leakyRelu(negativeSlope: negativeSlope), [input], at: ModuleCallSite.current)
    }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// The Gaussian error linear unit `x · Φ(x)`, exact erf form (`torch.nn.GELU()`).
public final class GELU: Module {
    /// Creates the layer.
    public init() {}
    /// x · Φ(x), elementwise.
    public func forward(_ input: Tensor) -> Tensor { Tensor.apply(.gelu, [input], at: ModuleCallSite.current) }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// Softmax along a dimension (`torch.nn.Softmax(dim=)`): non-negative values summing to 1.
public final class Softmax: Module {
    /// The dimension normalised.
    public let dim: Int

    /// Creates the layer.
    ///
    /// - Parameter dim: the dimension along which values sum to 1 (negative counts from the end).
    public init(dim: Int) { self.dim = dim }
    /// exp(x) / Σ exp(x) along `dim`.
    public func forward(_ input: Tensor) -> Tensor { Tensor.apply(.softmax(dim: dim), [input], at: ModuleCallSite.current) }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}

/// Log-softmax along a dimension (`torch.nn.LogSoftmax(dim=)`), computed stably.
public final class LogSoftmax: Module {
    /// The dimension normalised.
    public let dim: Int

    /// Creates the layer.
    ///
    /// - Parameter dim: the dimension along which exp of the output sums to 1 (negative counts from the end).
    public init(dim: Int) { self.dim = dim }
    /// x - log Σ exp(x) along `dim`.
    public func forward(_ input: Tensor) -> Tensor { Tensor.apply(.logSoftmax(dim: dim), [input], at: ModuleCallSite.current) }
    /// No parameters.
    public var namedParameters: [(String, Tensor)] { [] }
    /// No children.
    public var children: [(String, Module)] { [] }
}
