/// One step of an Elman recurrent network (`torch.nn.RNNCell`):
/// `h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)` with `act` tanh (the default) or relu.
/// Every parameter starts uniform in ±1/√hiddenSize, drawn in PyTorch's registration order.
///
/// ```swift
/// let cell = RNNCell(inputSize: 28, hiddenSize: 64)
/// var h = Tensor(zeros: [32, 64])
/// for x in steps { h = cell(x, h) }
/// ```
public final class RNNCell: Module {
    /// The activation of the new state (PyTorch's `nonlinearity`).
    public enum Nonlinearity: String, Sendable {
        /// The hyperbolic tangent (PyTorch's default).
        case tanh
        /// The rectifier.
        case relu
    }

    /// The input-to-hidden weight `[hiddenSize, inputSize]` (key `weight_ih`).
    public var weightIH: Tensor
    /// The hidden-to-hidden weight `[hiddenSize, hiddenSize]` (key `weight_hh`).
    public var weightHH: Tensor
    /// The input-to-hidden bias `[hiddenSize]` (key `bias_ih`), nil without bias.
    public var biasIH: Tensor?
    /// The hidden-to-hidden bias `[hiddenSize]` (key `bias_hh`), nil without bias.
    public var biasHH: Tensor?
    /// The number of input features.
    public let inputSize: Int
    /// The number of features of the hidden state.
    public let hiddenSize: Int
    /// The activation of the new state.
    public let nonlinearity: Nonlinearity

    /// Creates a cell with PyTorch's initialisation.
    ///
    /// - Parameters:
    ///   - inputSize: the number of input features.
    ///   - hiddenSize: the number of features of the hidden state.
    ///   - bias: whether to learn the biases `b_ih` and `b_hh`.
    ///   - nonlinearity: `.tanh` (default) or `.relu`.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, nonlinearity: Nonlinearity = .tanh) {
        let p = RecurrentParameters(inputSize: inputSize, hiddenSize: hiddenSize, gateCount: 1, bias: bias, module: "RNNCell")
        (weightIH, weightHH, biasIH, biasHH) = (p.weightIH, p.weightHH, p.biasIH, p.biasHH)
        (self.inputSize, self.hiddenSize, self.nonlinearity) = (inputSize, hiddenSize, nonlinearity)
    }

    /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        RecurrentParameters.named(weightIH, weightHH, biasIH, biasHH, suffix: "")
    }

    /// A cell has no children.
    public var children: [(String, Module)] { [] }

    /// One step: the next hidden state.
    ///
    /// - Parameters:
    ///   - input: `[batch, inputSize]`.
    ///   - hidden: the previous hidden state, `[batch, hiddenSize]`.
    ///   - file: the caller's file, quoted in errors (default `#fileID`).
    ///   - line: the caller's line, quoted in errors (default `#line`).
    public func callAsFunction(_ input: Tensor, _ hidden: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let preactivation = RecurrentParameters.project(input, weightIH, biasIH, file, line)
            .adding(RecurrentParameters.project(hidden, weightHH, biasHH, file, line), file: file, line: line)
        switch nonlinearity {
        case .tanh: return preactivation.tanh(file: file, line: line)
        case .relu: return preactivation.relu(file: file, line: line)
        }
    }

    /// The hidden state after one step from a zero state (`cell(x)` in PyTorch).
    public func forward(_ input: Tensor) -> Tensor {
        self(input, Tensor(zeros: [input.shape.first ?? 0, hiddenSize]))
    }
}
