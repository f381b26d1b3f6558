/// Average pooling over NCHW inputs (`tf.keras.layers.AveragePooling2D`, channels first, valid padding).
public final class AveragePooling2D: Layer {
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
        precondition(poolSize > 0 && (strides ?? 1) > 0, "AveragePooling2D: poolSize and strides must be positive")
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
    }

    /// The pooled shape; no variables.
    ///
    /// - Parameters:
    ///   - inputShape: `[channels, height, width]` (no batch dimension).
    ///   - graph: unused: the layer has no variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        outputShape(of: .avgPool2d(kernelSize: poolSize, stride: strides, padding: 0), for: inputShape, layer: "AveragePooling2D")
    }

    /// The mean of each window.
    ///
    /// - Parameters:
    ///   - input: a `[batch, channels, height, width]` node.
    ///   - training: unused.
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        avgPool2d(input, kernelSize: poolSize, stride: strides)
    }

    /// None.
    public var variables: [Node] { [] }
}

/// The mean over each channel's whole feature map (`tf.keras.layers.GlobalAveragePooling2D`,
/// channels first): `[batch, C, height, width]` -> `[batch, C]`.
public final class GlobalAveragePooling2D: Layer {
    /// Creates the layer.
    public init() {}

    /// `[C]`; no variables.
    ///
    /// - Parameters:
    ///   - inputShape: `[channels, height, width]` (no batch dimension).
    ///   - graph: unused: the layer has no variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        let layer = "GlobalAveragePooling2D"
        guard inputShape.count == 3 else {
            // The rule of mean(dim: 3) would accept other ranks; this layer is for feature maps.
            ErrorScope.report(.shapeMismatch(
                op: layer, shapes: [[nil] + inputShape.map { $0 }],
                reason: "expects [batch, channels, height, width] inputs", location: nil))
            return inputShape
        }
        let rows = outputShape(of: .mean(dim: 3, keepDim: false), for: inputShape, layer: layer)
        return outputShape(of: .mean(dim: 2, keepDim: false), for: rows, layer: layer)
    }

    /// The mean over height and width.
    ///
    /// - Parameters:
    ///   - input: a `[batch, channels, height, width]` node.
    ///   - training: unused.
    public func callAsFunction(_ input: Node, training: Bool) -> Node { input.mean(dim: 3).mean(dim: 2) }

    /// None.
    public var variables: [Node] { [] }
}
