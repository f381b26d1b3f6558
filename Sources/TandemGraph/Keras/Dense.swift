/// A fully connected layer (`tf.keras.layers.Dense`): `activation(x · kernel + bias)`.
///
/// The kernel has Keras' `[in, out]` layout and Keras' default initialisers (Glorot uniform
/// kernel, zero bias). It is built from `matmul` and a bias add; the fusion pass turns them (with
/// the activation) into one `linear` kernel.
///
/// ```swift
/// let model = Sequential([Dense(128, activation: .relu), Dense(10)])
/// ```
public final class Dense: Layer {
    /// The number of outputs.
    public let units: Int
    /// The activation applied to the output.
    public let activation: TandemKernels.Activation
    /// The `[in, out]` kernel, once built.
    public private(set) var kernel: Node?
    /// The `[out]` bias, once built.
    public private(set) var bias: Node?
    private let name: String

    /// Creates a dense layer with `units` outputs.
    ///
    /// - Parameters:
    ///   - units: the number of outputs.
    ///   - activation: applied to the output.
    ///   - name: the prefix of the layer's variable names.
    public init(_ units: Int, activation: TandemKernels.Activation = .identity, name: String = "dense") {
        precondition(units > 0, "Dense: units must be positive (got \(units))")
        self.units = units
        self.activation = activation
        self.name = name
    }

    /// Creates the kernel and bias for inputs of `[in]` features.
    ///
    /// - Parameters:
    ///   - inputShape: `[in]` (no batch dimension).
    ///   - graph: the graph that holds the kernel and bias variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        guard inputShape.count == 1 else {
            ErrorScope.report(.shapeMismatch(
                op: "Dense '\(name)'", shapes: [[nil] + inputShape.map(Optional.some)],
                reason: "expects inputs of shape [batch, features]; add Flatten() first", location: nil))
            return [units]
        }
        let fanIn = inputShape[0]
        graph.withNameScope(name) {
            kernel = graph.variable(
                Initializer.glorotUniform([fanIn, units], fans: (fanIn, units)), name: "kernel")
            bias = graph.variable(NDArray(zeros: [units]), name: "bias")
        }
        return [units]
    }

    /// `activation(input · kernel + bias)`.
    ///
    /// - Parameters:
    ///   - input: a `[batch, in]` node.
    ///   - training: unused (the layer behaves the same in training and inference).
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        guard let kernel, let bias else { preconditionFailure("Dense: call build(inputShape:in:) first") }
        return activation.apply(input.matmul(kernel) + bias)
    }

    /// The kernel and bias.
    public var variables: [Node] { [kernel, bias].compactMap { $0 } }
}
