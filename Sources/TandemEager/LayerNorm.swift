/// Layer normalisation over the trailing `normalizedShape` dimensions of each sample
/// (`torch.nn.LayerNorm`), with the biased variance, then a learned elementwise `weight` (ones)
/// and `bias` (zeros) shaped `normalizedShape`. The same in training and evaluation.
///
/// ```swift
/// let norm = LayerNorm([512])
/// let y = norm(x)        // [batch, seq, 512] -> [batch, seq, 512]
/// ```
public final class LayerNorm: Module {
    /// The trailing dimensions normalised together.
    public let normalizedShape: [Int]
    /// Added to the variance before the square root.
    public let eps: Float
    /// The elementwise scale, shaped `normalizedShape` (nil without `elementwiseAffine`).
    public var weight: Tensor?
    /// The elementwise shift, shaped `normalizedShape` (nil without `elementwiseAffine`).
    public var bias: Tensor?

    /// Creates a layer-norm layer.
    ///
    /// - Parameters:
    ///   - normalizedShape: the trailing dimensions of the input to normalise over.
    ///   - eps: added to the variance before the square root.
    ///   - elementwiseAffine: whether to learn `weight` and `bias`.
    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        precondition(
            !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
            "LayerNorm(\(normalizedShape)): the normalized shape must be non-empty with positive sizes")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor(NDArray(ones: normalizedShape), requiresGrad: true) : nil
        bias = elementwiseAffine ? Tensor(NDArray(zeros: normalizedShape), requiresGrad: true) : nil
    }

    /// `weight` then `bias`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        [("weight", weight), ("bias", bias)].compactMap { name, tensor in tensor.map { (name, $0) } }
    }

    /// No children.
    public var children: [(String, Module)] { [] }

    /// Normalises each sample over the trailing `normalizedShape` dimensions.
    public func forward(_ input: Tensor) -> Tensor {
        if input.isPlaceholder { return input }
        guard input.rank >= normalizedShape.count, Array(input.shape.suffix(normalizedShape.count)) == normalizedShape else {
            return Tensor.failed(.shapeMismatch(
                op: "LayerNorm", shapes: [input.shape.map(Optional.some), normalizedShape.map(Optional.some)],
                reason: "expected input with trailing dimensions \(formatShape(normalizedShape)), got \(formatShape(input.shape))",
                location: ModuleCallSite.current))
        }
        return layerNorm(input, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
