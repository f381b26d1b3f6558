import Foundation

/// The one place the two frontends' forward passes differ: the time loop of a recurrent layer.
/// The step (the core's `lstmCell` on two `linear`s) is the same primitives in both; eager runs
/// it in a Swift `for` over the time steps, the graph in one `whileLoop` whose body holds one step.
extension ModelSpec {
    /// The LSTM's hidden state after the last of the input's time steps, from zero states.
    ///
    /// - Parameters:
    ///   - x: `[batch, time, features]`, a `Tensor` or a graph `Node` with a known time dimension.
    ///   - weightIH, weightHH, biasIH, biasHH: PyTorch's `nn.LSTM` parameters (`*_l0`).
    ///   - hiddenSize: the width of the state.
    /// - Returns: `[batch, hiddenSize]`.
    func lastHiddenState<T: TensorExpression>(
        _ x: T, weightIH: T, weightHH: T, biasIH: T, biasHH: T, hiddenSize: Int
    ) -> T {
        func step(_ input: T, _ h: T, _ c: T) -> (h: T, c: T) {
            let gates = linear(input, weight: weightIH, bias: biasIH) + linear(h, weight: weightHH, bias: biasHH)
            return lstmCell(gates: gates, cell: c, hiddenSize: hiddenSize)
        }
        switch x {
        case let x as Tensor:
            var h = Tensor(zeros: [x.shape[0], hiddenSize]) as! T  // T is Tensor here
            var c = h
            let xs = x.transpose(0, 1)
            for t in 0..<x.shape[1] {
                (h, c) = step(xs.narrow(dim: 0, start: t, length: 1).squeeze(dim: 0) as! T, h, c)
            }
            return h
        case let x as Node:
            let g = x.graph
            let time = x.staticShape[1]
            precondition(time > 0, "ModelSpec.lstm: the graph input needs a known number of time steps, got \(x.shape)")
            let xs = x.transpose(0, 1)
            // Zero states of the run-time batch size.
            let zeros = Node.apply(.zerosLike, [xs.narrow(dim: 0, start: 0, length: 1).squeeze(dim: 0).narrow(dim: 1, start: 0, length: 1)], at: nil)
                + g.constant(NDArray(zeros: [hiddenSize]), name: "lstm_zeros")
            let limit = g.constant(NDArray(Float(time)), name: "lstm_time_steps")
            let final = g.whileLoop(
                condition: { v in v[0].less(limit) },
                body: { v in
                    let input = xs.indexSelect(dim: 0, index: v[0].reshape([1])).squeeze(dim: 0)
                    let next = step(input as! T, v[1] as! T, v[2] as! T)
                    return [v[0] + 1, next.h as! Node, next.c as! Node]
                },
                loopVariables: [g.constant(NDArray(0), name: "lstm_t"), zeros, zeros], maximumIterations: time, name: "lstm")
            return final[1] as! T
        default:
            preconditionFailure("ModelSpec.lstm: no time loop for \(T.self); use a Tensor or a graph Node")
        }
    }
}

/// `nn.LSTM` as a layer of an eager `Sequential`: its last hidden state `h_n[0]` (what
/// `ModelSpec.lstm` feeds its classifier), with the LSTM's own state-dict keys (`weight_ih_l0`, ...).
final class LastHiddenLSTM: TandemEager.Module {
    let lstm: TandemEager.LSTM

    init(_ lstm: TandemEager.LSTM) { self.lstm = lstm }

    var namedParameters: [(String, Tensor)] { lstm.namedParameters }
    var children: [(String, TandemEager.Module)] { [] }

    func forward(_ input: Tensor) -> Tensor { lstm(input, lengths: nil).h.squeeze(dim: 0) }
}
