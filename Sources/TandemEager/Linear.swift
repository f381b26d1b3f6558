/// A fully connected layer, `y = x weightᵀ + bias` (`torch.nn.Linear`).
///
/// The weight has PyTorch's layout `[outFeatures, inFeatures]` and PyTorch's default
/// initialisation: kaiming-uniform (a = √5) for the weight, then uniform in ±1/√inFeatures for
/// the bias, drawn from the global generator in that order (see `manualSeed`).
///
/// ```swift
/// let layer = Linear(784, 10)
/// let logits = layer(images)        // [batch, 784] -> [batch, 10]
/// ```
public final class Linear: Module {
    /// The weight, shape `[outFeatures, inFeatures]`.
    public var weight: Tensor
    /// The bias, shape `[outFeatures]` (nil when created with `bias: false`).
    public var bias: Tensor?
    /// The size of each input sample.
    public let inFeatures: Int
    /// The size of each output sample.
    public let outFeatures: Int

    /// Creates a layer with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - inFeatures: the size of each input sample.
    ///   - outFeatures: the size of each output sample.
    ///   - bias: whether to learn an additive bias.
    ///   - file: the source file named by an error about the sizes (defaults to the caller's).
    ///   - line: the source line named by an error about the sizes (defaults to the caller's).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, file: StaticString = #fileID, line: UInt = #line) {
        var (inFeatures, outFeatures) = (inFeatures, outFeatures)
        if let reason = invalidShapeReason([outFeatures, inFeatures]) {
            reportInvalidArgument("Linear(\(inFeatures), \(outFeatures))", reason, file: file, line: line)
            (inFeatures, outFeatures) = (0, 0)  // an empty placeholder layer; `checked` throws the error
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Tensor(Initializer.kaimingUniform([outFeatures, inFeatures]), requiresGrad: true)
        self.bias = bias ? Tensor(Initializer.biasUniform(outFeatures, fanIn: inFeatures), requiresGrad: true) : nil
    }

    /// `weight` then `bias`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// A linear layer has no children.
    public var children: [(String, Module)] { [] }

    /// Applies the layer to `[batch, inFeatures]` (or `[..., inFeatures]`, flattened around the
    /// fused kernel and restored).
    public func forward(_ input: Tensor) -> Tensor {
        // NOTE: a placeholder (an earlier op failed inside `checked`) has rank 1 and stays one after
        // `reshape`; it goes straight on, or this would recurse forever.
        if input.rank != 2 && input.rank > 0 && !input.isPlaceholder {
            let lead = Array(input.shape.dropLast())
            return forward(input.reshape([-1, input.shape[input.rank - 1]])).reshape(lead + [outFeatures])
        }
        if let bias { return linear(input, weight: weight, bias: bias) }
        return input.matmul(weight.transpose(0, 1))
    }
}
