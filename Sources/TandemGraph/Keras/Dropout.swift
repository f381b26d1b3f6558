/// Inverted dropout (`tf.keras.layers.Dropout`): while training, zeroes each element with
/// probability `rate` and scales the rest by `1 / (1 - rate)`; at inference, the identity.
public final class Dropout: Layer {
    /// The probability of dropping an element.
    public let rate: Float

    /// Creates the layer.
    ///
    /// - Parameter rate: the probability of dropping an element, in [0, 1).
    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    /// The same shape; no variables.
    ///
    /// - Parameters:
    ///   - inputShape: the input shape (no batch dimension), returned unchanged.
    ///   - graph: unused: the layer has no variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] { inputShape }

    /// Dropout when training, the identity otherwise.
    ///
    /// - Parameters:
    ///   - input: the node to drop elements of.
    ///   - training: whether to drop (true) or pass the input through (false).
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        training && rate > 0 ? dropout(input, p: rate) : input
    }

    /// None.
    public var variables: [Node] { [] }

    /// True: dropout is the identity at inference.
    public var dependsOnTraining: Bool { true }
}
