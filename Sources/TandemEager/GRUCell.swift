/// One step of a gated recurrent unit (`torch.nn.GRUCell`).
///
/// With the gates in PyTorch's order r, z, n:
/// `r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)`, `z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)`,
/// `n = tanh(x W_inᵀ + b_in + r (h W_hnᵀ + b_hn))`, `h' = (1 - z) n + z h`.
/// Every parameter starts uniform in ±1/√hiddenSize, drawn in PyTorch's registration order.
///
/// ```swift
/// let cell = GRUCell(inputSize: 28, hiddenSize: 64)
/// var h = Tensor(zeros: [32, 64])
/// for x in steps { h = cell(x, h) }
/// ```
public final class GRUCell: Module {
    /// The input-to-hidden weight `[3 * hiddenSize, inputSize]` (key `weight_ih`).
    public var weightIH: Tensor
    /// The hidden-to-hidden weight `[3 * hiddenSize, hiddenSize]` (key `weight_hh`).
    public var weightHH: Tensor
    /// The input-to-hidden bias `[3 * hiddenSize]` (key `bias_ih`), nil without bias.
    public var biasIH: Tensor?
    /// The hidden-to-hidden bias `[3 * hiddenSize]` (key `bias_hh`), nil without bias.
    public var biasHH: Tensor?
    /// The number of input features.
    public let inputSize: Int
    /// The number of features of the hidden state.
    public let hiddenSize: Int

    /// Creates a cell with PyTorch's initialisation.
    ///
    /// - Parameters:
    ///   - inputSize: the number of input features.
    ///   - hiddenSize: the number of features of the hidden state.
    ///   - bias: whether to learn the biases `b_ih` and `b_hh`.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) {
        let p = RecurrentParameters(inputSize: inputSize, hiddenSize: hiddenSize, gateCount: 3, bias: bias, module: "GRUCell")
        (weightIH, weightHH, biasIH, biasHH) = (p.weightIH, p.weightHH, p.biasIH, p.biasHH)
        (self.inputSize, self.hiddenSize) = (inputSize, hiddenSize)
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
        gruCell(
            inputGates: RecurrentParameters.project(input, weightIH, biasIH, file, line),
            hiddenGates: RecurrentParameters.project(hidden, weightHH, biasHH, file, line),
            hidden: hidden, hiddenSize: hiddenSize, file: file, line: line)
    }

    /// The hidden state after one step from a zero state (`cell(x)` in PyTorch).
    public func forward(_ input: Tensor) -> Tensor {
        self(input, Tensor(zeros: [input.shape.first ?? 0, hiddenSize]))
    }
}
