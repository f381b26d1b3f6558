/// Max pooling over NCHW inputs (`tf.keras.layers.MaxPooling2D`, channels first).
public final class MaxPooling2D: Layer {
    /// The side of the square window.
    public let poolSize: Int
    /// The step between windows (default: the pool size, as Keras).
    public let strides: Int

    /// Creates a pooling layer.
    ///
    /// - Parameters:
    ///   - poolSize: the side of the square window.
    ///   - strides: the step between windows (nil: the pool size, as Keras).
    public init(poolSize: Int = 2, strides: Int? = nil) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
    }

    /// The pooled shape; no variables.
    ///
    /// - Parameters:
    ///   - inputShape: `[channels, height, width]` (no batch dimension).
    ///   - graph: unused: the layer has no variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        outputShape(of: .maxPool2d(kernelSize: poolSize, stride: strides), for: inputShape, layer: "MaxPooling2D")
    }

    /// The maximum of each window.
    ///
    /// - Parameters:
    ///   - input: a `[batch, channels, height, width]` node.
    ///   - training: unused.
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        maxPool2d(input, kernelSize: poolSize, stride: strides)
    }

    /// None.
    public var variables: [Node] { [] }
}
