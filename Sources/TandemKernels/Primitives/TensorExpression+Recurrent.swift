/// The gate arithmetic of the recurrent cells, written once for every frontend from existing
/// primitives (`narrow`, `sigmoid`, `tanh`, `mul`, `add`), so the eager modules and the graph's
/// Keras layers compute the same numbers in the same order and share one gradient (the primitives').
///
/// The callers compute the gate pre-activations with their own weight layouts (PyTorch's
/// `[4h, in]` `weight_ih`, Keras' `[in, 4h]` `kernel`); these functions only split and combine them.

/// One LSTM step from its gate pre-activations (`torch.nn.LSTMCell` after its two affine maps).
///
/// With `gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh` split into four `[batch, hiddenSize]` blocks
/// i, f, g, o (PyTorch's and Keras' order):
/// `c' = σ(f) c + σ(i) tanh(g)`, `h' = σ(o) tanh(c')`.
///
/// - Parameters:
///   - gates: `[batch, 4 * hiddenSize]`, the summed pre-activations in the order i, f, g, o.
///   - cell: the previous cell state, `[batch, hiddenSize]`.
///   - hiddenSize: the size of the state.
/// - Returns: the next hidden and cell states.
public func lstmCell<T: TensorExpression>(
    gates: T, cell: T, hiddenSize: Int, file: StaticString = #fileID, line: UInt = #line
) -> (h: T, c: T) {
    func gate(_ k: Int) -> T { gates.narrow(dim: 1, start: k * hiddenSize, length: hiddenSize, file: file, line: line) }
    let input = gate(0).sigmoid(file: file, line: line)
    let forget = gate(1).sigmoid(file: file, line: line)
    let candidate = gate(2).tanh(file: file, line: line)
    let output = gate(3).sigmoid(file: file, line: line)
    let c = forget.multiplying(by: cell, file: file, line: line)
        .adding(input.multiplying(by: candidate, file: file, line: line), file: file, line: line)
    return (output.multiplying(by: c.tanh(file: file, line: line), file: file, line: line), c)
}

/// Where the reset, update and candidate blocks sit in a GRU's `3 * hiddenSize` gate axis.
public struct GRUGateOrder: Sendable, Equatable {
    /// The block index (0, 1 or 2) of the reset gate r.
    public let reset: Int
    /// The block index of the update gate z.
    public let update: Int
    /// The block index of the candidate n (Keras' h).
    public let candidate: Int

    /// PyTorch's order: r, z, n.
    public static let pytorch = GRUGateOrder(reset: 0, update: 1, candidate: 2)
    /// Keras' order: z, r, h.
    public static let keras = GRUGateOrder(reset: 1, update: 0, candidate: 2)
}

/// One GRU step from its input and hidden projections (`torch.nn.GRUCell`; Keras' GRU with
/// `reset_after=True`, the TensorFlow 2 default, is the same function).
///
/// With `gi = x W_ihᵀ + b_ih` and `gh = h W_hhᵀ + b_hh`, each split into r, z, n blocks:
/// `r = σ(gi_r + gh_r)`, `z = σ(gi_z + gh_z)`, `n = tanh(gi_n + r gh_n)`, `h' = (1 - z) n + z h`.
///
/// - Parameters:
///   - inputGates: `[batch, 3 * hiddenSize]`, the input projection with its bias.
///   - hiddenGates: `[batch, 3 * hiddenSize]`, the hidden projection with its bias.
///   - hidden: the previous state, `[batch, hiddenSize]`.
///   - hiddenSize: the size of the state.
///   - order: where r, z and n sit along the gate axis.
/// - Returns: the next hidden state.
public func gruCell<T: TensorExpression>(
    inputGates: T, hiddenGates: T, hidden: T, hiddenSize: Int, order: GRUGateOrder = .pytorch,
    file: StaticString = #fileID, line: UInt = #line
) -> T {
    func block(_ x: T, _ k: Int) -> T { x.narrow(dim: 1, start: k * hiddenSize, length: hiddenSize, file: file, line: line) }
    let reset = block(inputGates, order.reset).adding(block(hiddenGates, order.reset), file: file, line: line)
        .sigmoid(file: file, line: line)
    let update = block(inputGates, order.update).adding(block(hiddenGates, order.update), file: file, line: line)
        .sigmoid(file: file, line: line)
    let candidate = block(inputGates, order.candidate)
        .adding(reset.multiplying(by: block(hiddenGates, order.candidate), file: file, line: line), file: file, line: line)
        .tanh(file: file, line: line)
    // (1 - z) n + z h, written n + z (h - n): one multiply fewer.
    return candidate.adding(
        update.multiplying(by: hidden.subtracting(candidate, file: file, line: line), file: file, line: line),
        file: file, line: line)
}
