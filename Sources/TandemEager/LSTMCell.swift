/// One step of a long short-term memory network (`torch.nn.LSTMCell`).
///
/// With the gates in PyTorch's order i, f, g, o:
/// `gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh`, `c' = σ(f) c + σ(i) tanh(g)`, `h' = σ(o) tanh(c')`.
/// Every parameter starts uniform in ±1/√hiddenSize, drawn from the global generator in PyTorch's
/// registration order (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`; see `manualSeed`).
///
/// ```swift
/// let cell = LSTMCell(inputSize: 28, hiddenSize: 64)
/// var state = (h: Tensor(zeros: [32, 64]), c: Tensor(zeros: [32, 64]))
/// for x in steps { state = cell(x, state) }      // x: [32, 28]
/// ```
public final class LSTMCell: Module {
    /// The input-to-hidden weight `[4 * hiddenSize, inputSize]` (key `weight_ih`).
    public var weightIH: Tensor
    /// The hidden-to-hidden weight `[4 * hiddenSize, hiddenSize]` (key `weight_hh`).
    public var weightHH: Tensor
    /// The input-to-hidden bias `[4 * hiddenSize]` (key `bias_ih`), nil without bias.
    public var biasIH: Tensor?
    /// The hidden-to-hidden bias `[4 * hiddenSize]` (key `bias_hh`), nil without bias.
    public var biasHH: Tensor?
    /// The number of input features.
    public let inputSize: Int
    /// The number of features of the hidden and cell states.
    public let hiddenSize: Int

    /// Creates a cell with PyTorch's initialisation.
    ///
    /// - Parameters:
    ///   - inputSize: the number of input features.
    ///   - hiddenSize: the number of features of the hidden and cell states.
    ///   - bias: whether to learn the biases `b_ih` and `b_hh`.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true) {
        let p = RecurrentParameters(inputSize: inputSize, hiddenSize: hiddenSize, gateCount: 4, bias: bias, module: "LSTMCell")
        (weightIH, weightHH, biasIH, biasHH) = (p.weightIH, p.weightHH, p.biasIH, p.biasHH)
        (self.inputSize, self.hiddenSize) = (inputSize, hiddenSize)
    }

    /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        RecurrentParameters.named(weightIH, weightHH, biasIH, biasHH, suffix: "")
    }

    /// A cell has no children.
    public var children: [(String, Module)] { [] }

    /// One step: the next hidden and cell states.
    ///
    /// - Parameters:
    ///   - input: `[batch, inputSize]`.
    ///   - state: the previous hidden and cell states, each `[batch, hiddenSize]`.
    ///   - file: the caller's file, quoted in errors (default `#fileID`).
    ///   - line: the caller's line, quoted in errors (default `#line`).
    public func callAsFunction(
        _ input: Tensor, _ state: (h: Tensor, c: Tensor), file: StaticString = #fileID, line: UInt = #line
    ) -> (h: Tensor, c: Tensor) {
        let gates = RecurrentParameters.project(input, weightIH, biasIH, file, line)
            .adding(RecurrentParameters.project(state.h, weightHH, biasHH, file, line), file: file, line: line)
        return lstmCell(gates: gates, cell: state.c, hiddenSize: hiddenSize, file: file, line: line)
    }

    /// The hidden state after one step from zero states (`cell(x)[0]` in PyTorch).
    public func forward(_ input: Tensor) -> Tensor {
        let zeros = Tensor(zeros: [input.shape.first ?? 0, hiddenSize])
        return self(input, (h: zeros, c: zeros)).h
    }
}
