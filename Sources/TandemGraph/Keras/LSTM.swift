/// A long short-term memory layer (`tf.keras.layers.LSTM`) over `[batch, time, features]`
/// inputs, built on one `Graph.whileLoop` over time.
///
/// Keras' variables and defaults: `kernel` `[features, 4 * units]` (Glorot uniform),
/// `recurrent_kernel` `[units, 4 * units]` (orthogonal), `bias` `[4 * units]` (zeros, the forget
/// gate's ones: `unit_forget_bias`), gates in the order i, f, c, o. The step is the core's
/// `lstmCell`, the same one the eager `LSTM` runs, so the two agree on the same weights
/// (`kernel` = `weight_ihᵀ`, `recurrent_kernel` = `weight_hhᵀ`, `bias` = `bias_ih + bias_hh`).
///
/// ```swift
/// let model = Sequential([LSTM(units: 64), Dense(10)], inputShape: [28, 28])
/// ```
public final class LSTM: Layer {
    /// The width of the hidden and cell states.
    public let units: Int
    /// Whether the layer returns the hidden state at every step `[batch, time, units]` rather
    /// than the last one `[batch, units]`.
    public let returnSequences: Bool
    /// The `[features, 4 * units]` input kernel, once built.
    public private(set) var kernel: Node?
    /// The `[units, 4 * units]` recurrent kernel, once built.
    public private(set) var recurrentKernel: Node?
    /// The `[4 * units]` bias, once built.
    public private(set) var bias: Node?
    private var timeSteps = 0
    private let name: String

    /// Creates an LSTM layer.
    ///
    /// - Parameters:
    ///   - units: the width of the hidden and cell states.
    ///   - returnSequences: return every step's hidden state instead of the last.
    ///   - name: the prefix of the layer's variable names.
    public init(units: Int, returnSequences: Bool = false, name: String = "lstm") {
        precondition(units > 0, "LSTM: units must be positive (got \(units))")
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
        guard RecurrentLoop.checkInputShape(inputShape, layer: "LSTM") else { return inputShape }
        timeSteps = inputShape[0]
        let features = inputShape[1]
        graph.withNameScope(name) {
            kernel = graph.variable(
                Initializer.glorotUniform([features, 4 * units], fans: (features, 4 * units)), name: "kernel")
            recurrentKernel = graph.variable(Initializer.orthogonal([units, 4 * units]), name: "recurrent_kernel")
            let forgetOnes = (0..<(4 * units)).map { $0 / units == 1 ? Float(1) : 0 }
            bias = graph.variable(NDArray(shape: [4 * units], scalars: forgetOnes), name: "bias")
        }
        return returnSequences ? [timeSteps, units] : [units]
    }

    /// The last hidden state `[batch, units]` (or every step's, `[batch, time, units]`).
    ///
    /// - Parameters:
    ///   - input: a `[batch, time, features]` node.
    ///   - training: unused (no dropout).
    public func callAsFunction(_ input: Node, training: Bool) -> Node {
        guard let kernel, let recurrentKernel, let bias else { preconditionFailure("LSTM: call build(inputShape:in:) first") }
        return RecurrentLoop.run(
            input, timeSteps: timeSteps, units: units, stateCount: 2, returnSequences: returnSequences, name: name
        ) { x, states in
            let gates = x.matmul(kernel) + states[0].matmul(recurrentKernel) + bias
            let next = lstmCell(gates: gates, cell: states[1], hiddenSize: units)
            return [next.h, next.c]
        }
    }

    /// The kernel, recurrent kernel and bias (Keras' order).
    public var variables: [Node] { [kernel, recurrentKernel, bias].compactMap { $0 } }
}
