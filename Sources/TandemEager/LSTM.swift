/// A single-layer long short-term memory network over whole sequences (`torch.nn.LSTM` with
/// `num_layers=1`), run as an ordinary Swift loop over time.
///
/// With `lengths`, it behaves as PyTorch on a packed sequence: each sequence stops at its own
/// length (the batch shrinks as sequences end, nothing is computed past them), the output is
/// zero past each length, and `h`/`c` are the states after each sequence's last step.
///
/// ```swift
/// let lstm = LSTM(inputSize: 28, hiddenSize: 64)          // batch first
/// let (output, h, c) = lstm(images, lengths: rowCounts)  // images: [batch, 28, 28]
/// let logits = classifier(h.squeeze(dim: 0))
/// ```
public final class LSTM: Module {
    /// The input-to-hidden weight `[4 * hiddenSize, inputSize]` (key `weight_ih_l0`).
    public var weightIH: Tensor
    /// The hidden-to-hidden weight `[4 * hiddenSize, hiddenSize]` (key `weight_hh_l0`).
    public var weightHH: Tensor
    /// The input-to-hidden bias `[4 * hiddenSize]` (key `bias_ih_l0`), nil without bias.
    public var biasIH: Tensor?
    /// The hidden-to-hidden bias `[4 * hiddenSize]` (key `bias_hh_l0`), nil without bias.
    public var biasHH: Tensor?
    /// The number of input features.
    public let inputSize: Int
    /// The number of features of the hidden and cell states.
    public let hiddenSize: Int
    /// Whether inputs and outputs are `[batch, time, features]` (true) or `[time, batch, features]`.
    public let batchFirst: Bool

    /// Creates the layer with PyTorch's initialisation (uniform in ±1/√hiddenSize).
    ///
    /// - Parameters:
    ///   - inputSize: the number of input features.
    ///   - hiddenSize: the number of features of the hidden and cell states.
    ///   - batchFirst: whether the batch is the first dimension of the input and output.
    ///   - bias: whether to learn the biases.
    public init(inputSize: Int, hiddenSize: Int, batchFirst: Bool = true, bias: Bool = true) {
        let p = RecurrentParameters(inputSize: inputSize, hiddenSize: hiddenSize, gateCount: 4, bias: bias, module: "LSTM")
        (weightIH, weightHH, biasIH, biasHH) = (p.weightIH, p.weightHH, p.biasIH, p.biasHH)
        (self.inputSize, self.hiddenSize, self.batchFirst) = (inputSize, hiddenSize, batchFirst)
    }

    /// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, as PyTorch registers them.
    public var namedParameters: [(String, Tensor)] {
        RecurrentParameters.named(weightIH, weightHH, biasIH, biasHH, suffix: "_l0")
    }

    /// The layer has no children.
    public var children: [(String, Module)] { [] }

    /// Runs the sequences from zero states.
    ///
    /// - Parameters:
    ///   - input: `[batch, time, inputSize]` (or `[time, batch, inputSize]` when not `batchFirst`).
    ///   - lengths: each sequence's length (1...time), in batch order; nil: all run `time` steps.
    ///   - file: the caller's file, quoted in errors (default `#fileID`).
    ///   - line: the caller's line, quoted in errors (default `#line`).
    /// - Returns: `output`, the hidden state at every step, shaped like the input with
    ///   `hiddenSize` features (zero past each length); `h` and `c`, the states after each
    ///   sequence's last step, `[1, batch, hiddenSize]` (PyTorch's `[num_layers, batch, hidden]`).
    public func callAsFunction(
        _ input: Tensor, lengths: [Int]?, file: StaticString = #fileID, line: UInt = #line
    ) -> (output: Tensor, h: Tensor, c: Tensor) {
        let location = SourceLocation(file, line)
        guard let (timeMajor, batch) = RecurrentInput.timeMajor(input, batchFirst: batchFirst, inputSize: inputSize, module: "LSTM", location: location),
            let scan = PackedScan(lengths: lengths, batch: batch, timeSteps: timeMajor.shape[0], module: "LSTM", location: location)
        else { return (Tensor.placeholder(), Tensor.placeholder(), Tensor.placeholder()) }
        let zeros = Tensor(zeros: [batch, hiddenSize])
        let (outputs, finals) = scan.run(timeMajor, initial: [zeros, zeros], file: file, line: line) { x, states in
            let gates = RecurrentParameters.project(x, weightIH, biasIH, file, line)
                .adding(RecurrentParameters.project(states[0], weightHH, biasHH, file, line), file: file, line: line)
            let next = lstmCell(gates: gates, cell: states[1], hiddenSize: hiddenSize, file: file, line: line)
            return [next.h, next.c]
        }
        return (
            RecurrentInput.restore(outputs, batchFirst: batchFirst, file: file, line: line),
            finals[0].unsqueeze(dim: 0, file: file, line: line), finals[1].unsqueeze(dim: 0, file: file, line: line)
        )
    }

    /// The output at every step for full-length sequences (`lstm(x)[0]`).
    public func forward(_ input: Tensor) -> Tensor { self(input, lengths: nil).output }
}
