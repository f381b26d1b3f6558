/// A 2-D convolution layer (`tf.keras.layers.Conv2D`) over NCHW inputs.
///
/// NOTE: Keras defaults to channels-last (NHWC) data and an HWIO kernel; Tandem's `conv2d`
/// primitive is PyTorch's NCHW with an OIHW weight, so this layer takes `[batch, channels,
/// height, width]` inputs (Keras' `data_format="channels_first"`) and stores its kernel as
/// `[filters, inChannels, kh, kw]`. Initialisers are Keras' (Glorot uniform kernel, zero bias).
public final class Conv2D: Layer {
    /// How the borders are handled.
    public enum Padding {
        /// No padding: the output shrinks by `kernelSize - 1`.
        case valid
        /// Zero padding that keeps the spatial size at stride 1 (odd kernel sizes only).
        case same
    }

    /// The number of output channels.
    public let filters: Int
    /// The side of the square kernel.
    public let kernelSize: Int
    /// The step between windows.
    public let strides: Int
    /// The border handling.
    public let padding: Padding
    /// The activation applied to the output.
    public let activation: TandemKernels.Activation
    /// The `[filters, inChannels, kh, kw]` kernel, once built.
    public private(set) var kernel: Node?
    /// The `[filters]` bias, once built.
    public private(set) var bias: Node?
    private let name: String

    /// Creates a convolution layer with `filters` output channels.
    ///
    /// - Parameters:
    ///   - filters: the number of output channels.
    ///   - kernelSize: the side of the square kernel.
    ///   - strides: the step between windows.
    ///   - padding: `.valid` (no padding) or `.same` (keeps the spatial size at stride 1).
    ///   - activation: applied to the output.
    ///   - name: the prefix of the layer's variable names.
    public init(
        _ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
        activation: TandemKernels.Activation = .identity, name: String = "conv2d"
    ) {
        precondition(filters > 0 && kernelSize > 0 && strides > 0, "Conv2D: filters, kernelSize and strides must be positive")
        precondition(padding == .valid || kernelSize % 2 == 1, "Conv2D: padding .same needs an odd kernel size")
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.name = name
    }

    private var paddingAmount: Int { padding == .same ? (kernelSize - 1) / 2 : 0 }

    /// Creates the kernel and bias for `[channels, height, width]` inputs.
    ///
    /// - Parameters:
    ///   - inputShape: `[channels, height, width]` (no batch dimension).
    ///   - graph: the graph that holds the kernel and bias variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        let kernelShape = [filters, inputShape.first ?? 0, kernelSize, kernelSize]
        let output = outputShape(
            of: .conv2d(stride: strides, padding: paddingAmount), for: inputShape, with: [kernelShape], layer: "Conv2D '\(name)'")
        graph.withNameScope(name) {
            kernel = graph.variable(Initializer.glorotUniform(kernelShape), name: "kernel")
            bias = graph.variable(NDArray(zeros: [filters]), name: "bias")
        }
        return output
    }

    /// `activation(conv2d(input, kernel) + bias)`.
    ///
    /// - Parameters:
    ///   - input: a `[batch, channels, height, width]` node.
    ///   - training: unused (the layer behaves the same in training and inference).
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        guard let kernel, let bias else { preconditionFailure("Conv2D: call build(inputShape:in:) first") }
        return activation.apply(conv2d(input, weight: kernel, bias: bias, stride: strides, padding: paddingAmount))
    }

    /// The kernel and bias.
    public var variables: [Node] { [kernel, bias].compactMap { $0 } }
}
