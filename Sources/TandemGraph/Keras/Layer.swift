/// A Keras-style layer of a ``Sequential`` model (`tf.keras.layers.Layer`).
///
/// A layer creates its variables in `build` once the input shape is known, then adds its nodes
/// to the graph each time it is called.
public protocol Layer: AnyObject {
    /// Creates the layer's variables for inputs of `inputShape` (without the batch dimension)
    /// and returns the output shape (without the batch dimension).
    func build(inputShape: [Int], in graph: Graph) -> [Int]
    /// Adds the layer's computation on `input` (`training` selects dropout's behaviour).
    func callAsFunction(_ input: Node, training: Bool) -> Node
    /// The layer's variables (weights first, then biases).
    var variables: [Node] { get }
}

extension Activation {
    /// Applies the activation to a node (`identity` returns it unchanged).
    func apply(_ x: Node) -> Node {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        }
    }
}
