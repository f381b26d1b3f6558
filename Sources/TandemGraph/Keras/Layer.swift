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
    /// Whether the layer computes differently in training and in inference (dropout, batch
    /// norm), so the model needs a separate inference pass.
    var dependsOnTraining: Bool { get }
}

extension Layer {
    /// False: most layers compute the same in training and inference.
    public var dependsOnTraining: Bool { false }

    /// The output shape (without the batch dimension) that the core's shape rule for `op` gives
    /// for a batch of inputs of `inputShape`, so a layer never recomputes a rule the core has.
    ///
    /// A shape the rule rejects is reported (thrown by `Sequential`'s build, which runs layers
    /// inside `checked`) naming the layer, the op and the shapes; `inputShape` is then returned
    /// so that building can go on to report nothing worse.
    ///
    /// - Parameters:
    ///   - op: the primitive the layer applies.
    ///   - inputShape: the input's shape without the batch.
    ///   - others: the shapes of the op's other inputs (weights), in order.
    ///   - layer: the layer's name, for the message.
    func outputShape(of op: Op, for inputShape: [Int], with others: [[Int]] = [], layer: String) -> [Int] {
        let shapes = [[unknownDim] + inputShape] + others
        do {
            return Array(try op.outputShape(shapes).dropFirst())
        } catch {
            ErrorScope.report(.shapeMismatch(
                op: "\(layer) (\(op.name))", shapes: shapes.map { $0.map { $0 == unknownDim ? nil : $0 } },
                reason: (error as? ShapeRuleError)?.reason ?? "\(error)", location: nil))
            return inputShape
        }
    }
}

extension TandemKernels.Activation {
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
