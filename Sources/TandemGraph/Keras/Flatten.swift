/// Flattens every dimension but the batch into one (`tf.keras.layers.Flatten`).
public final class Flatten: Layer {
    /// Creates the layer.
    public init() {}

    /// `[product of the input shape]`; no variables.
    ///
    /// - Parameters:
    ///   - inputShape: the input shape (no batch dimension).
    ///   - graph: unused: the layer has no variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        outputShape(of: .flatten(startDim: 1), for: inputShape, layer: "Flatten")
    }

    /// The input reshaped to `[batch, features]`.
    ///
    /// - Parameters:
    ///   - input: a `[batch, ...]` node.
    ///   - training: unused.
    public func callAsFunction(_ input: Node, training: Bool) -> Node { input.flatten(startDim: 1) }

    /// None.
    public var variables: [Node] { [] }
}
