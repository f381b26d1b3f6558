/// A gated recurrent unit layer (`tf.keras.layers.GRU`, TensorFlow 2's default
/// `reset_after=True`) over `[batch, time, features]` inputs, built on one `Graph.whileLoop`.
///
/// Keras' variables and defaults: `kernel` `[features, 3 * units]` (Glorot uniform),
/// `recurrent_kernel` `[units, 3 * units]` (orthogonal), `bias` `[2, 3 * units]` (zeros; row 0
/// for the input projection, row 1 for the recurrent one), gates in Keras' order z, r, h. The
/// step is the core's `gruCell`, the same one the eager `GRU` runs: with the gate blocks
/// reordered from PyTorch's r, z, n, `kernel` = `weight_ihᵀ`, `recurrent_kernel` = `weight_hhᵀ`
/// and `bias` = [`bias_ih`, `bias_hh`] give the same numbers.
///
/// ```swift
/// let model = Sequential([GRU(units: 64), Dense(10)], inputShape: [28, 28])
/// ```
public final class GRU: Layer {
    /// The width of the hidden state.
    public let units: Int
    /// Whether the layer returns the hidden state at every step rather than the last one.
    public let returnSequences: Bool
    /// The `[features, 3 * units]` input kernel, once built.
    public private(set) var kernel: Node?
    /// The `[units, 3 * units]` recurrent kernel, once built.
    public private(set) var recurrentKernel: Node?
    /// The `[2, 3 * units]` input and recurrent biases, once built.
    public private(set) var bias: Node?
    private var timeSteps = 0
    private let name: String

    /// Creates a GRU layer.
    ///
    /// - Parameters:
    ///   - units: the width of the hidden state.
    ///   - returnSequences: return every step's hidden state instead of the last.
    ///   - name: the prefix of the layer's variable names.
    public init(units: Int, returnSequences: Bool = false, name: String = "gru") {
        precondition(units > 0, "GRU: units must be positive (got \(units))")
        self.units = units
        self.returnSequences = returnSequences
        self.name = name
    }

    /// Creates the variables for inputs of `[time, features]`.
    ///
    /// - Parameters:
    ///   - inputShape: `[time, features]` (no batch dimension), both known.
    ///   - graph: the graph that holds the variables.
    public func build(inputShape: [Int], in graph: Graph) -> [Int] {
        guard RecurrentLoop.checkInputShape(inputShape, layer: "GRU") else { return inputShape }
        timeSteps = inputShape[0]
        let features = inputShape[1]
        graph.withNameScope(name) {
            kernel = graph.variable(
                Initializer.glorotUniform([features, 3 * units], fans: (features, 3 * units)), name: "kernel")
            recurrentKernel = graph.variable(Initializer.orthogonal([units, 3 * units]), name: "recurrent_kernel")
            bias = graph.variable(NDArray(zeros: [2, 3 * units]), name: "bias")
        }
        return returnSequences ? [timeSteps, units] : [units]
    }

    /// The last hidden state `[batch, units]` (or every step's, `[batch, time, units]`).
    ///
    /// - Parameters:
    ///   - input: a `[batch, time, features]` node.
    ///   - training: unused (no dropout).
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        guard let kernel, let recurrentKernel, let bias else { preconditionFailure("GRU: call build(inputShape:in:) first") }
        let inputBias = bias.narrow(dim: 0, start: 0, length: 1).squeeze(dim: 0)
        let recurrentBias = bias.narrow(dim: 0, start: 1, length: 1).squeeze(dim: 0)
        return RecurrentLoop.run(
            input, timeSteps: timeSteps, units: units, stateCount: 1, returnSequences: returnSequences, name: name
        ) { x, states in
            [gruCell(
                inputGates: x.matmul(kernel) + inputBias, hiddenGates: states[0].matmul(recurrentKernel) + recurrentBias,
                hidden: states[0], hiddenSize: units, order: .keras)]
        }
    }

    /// The kernel, recurrent kernel and bias (Keras' order).
    public var variables: [Node] { [kernel, recurrentKernel, bias].compactMap { $0 } }
}
