/// A 2-D convolution over NCHW input (`torch.nn.Conv2d`), square kernels.
///
/// The weight has PyTorch's layout `[outChannels, inChannels, kernelSize, kernelSize]` and
/// PyTorch's default initialisation (kaiming-uniform with a = √5, then the bias uniform in
/// ±1/√fanIn, with fanIn = inChannels · kernelSize²).
///
/// ```swift
/// let conv = Conv2d(1, 32, kernelSize: 3)
/// conv(images).shape    // [batch, 32, 26, 26] for [batch, 1, 28, 28] images
/// ```
public final class Conv2d: Module {
    /// The weight, shape `[outChannels, inChannels, kernelSize, kernelSize]`.
    public var weight: Tensor
    /// The bias, shape `[outChannels]` (nil when created with `bias: false`).
    public var bias: Tensor?
    /// The step between windows.
    public let stride: Int
    /// Zeros added on every side.
    public let padding: Int

    /// Creates a convolution with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - inChannels: channels of the input.
    ///   - outChannels: channels of the output (number of filters).
    ///   - kernelSize: the height and width of each filter.
    ///   - stride: the step between windows.
    ///   - padding: zeros added on every side of the input.
    ///   - bias: whether to learn an additive bias per output channel.
    ///   - file: the source file named by an error about the sizes (defaults to the caller's).
    ///   - line: the source line named by an error about the sizes (defaults to the caller's).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        // A bad stride or padding is reported by the first forward, as PyTorch does; negative
        // or huge sizes cannot even make the weight.
        var (inChannels, outChannels, kernelSize) = (inChannels, outChannels, kernelSize)
        if let reason = invalidShapeReason([outChannels, inChannels, kernelSize, kernelSize]) {
            reportInvalidArgument("Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))", reason, file: file, line: line)
            (inChannels, outChannels, kernelSize) = (0, 0, 0)  // an empty placeholder; `checked` throws the error
        }
        self.stride = stride
        self.padding = padding
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        weight = Tensor(Initializer.kaimingUniform(shape), requiresGrad: true)
        let fanIn = Initializer.fans(shape).fanIn
        self.bias = bias ? Tensor(Initializer.biasUniform(outChannels, fanIn: fanIn), requiresGrad: true) : nil
    }

    /// `weight` then `bias`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// A convolution has no children.
    public var children: [(String, Module)] { [] }

    /// Convolves `[batch, inChannels, height, width]` input.
    public func forward(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
