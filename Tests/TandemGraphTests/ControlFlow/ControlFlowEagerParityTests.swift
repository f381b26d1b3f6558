import TandemEager
import XCTest
@testable import TandemGraph

/// The same computation as a graph with control flow and as an eager Swift loop with `if`:
/// values and gradients agree.
final class ControlFlowEagerParityTests: XCTestCase {
    /// h <- tanh(h W + b) while the step count is below n, then a branch on the sign of the
    /// summed state picks one of two heads; eager runs a Swift `for` and `if`.
    func testLoopWithABranchMatchesAnEagerSwiftLoop() throws {
        let wValue = NDArray(shape: [3, 3], scalars: testValues(9, seed: 41, low: -0.7, high: 0.7))
        let bValue = NDArray(shape: [3], scalars: testValues(3, seed: 42))
        let h0Value = NDArray(shape: [2, 3], scalars: testValues(6, seed: 43))

        let g = Graph()
        let w = g.variable(wValue, name: "w")
        let b = g.variable(bValue, name: "b")
        let h0 = g.placeholder(shape: [nil, 3], name: "h0")
        let n = g.placeholder(shape: [], name: "n")
        let state = g.whileLoop(
            condition: { v in isLess(v[0], n) },
            body: { v in [v[0] + 1, (v[1].matmul(w) + b).tanh()] },
            loopVariables: [g.constant(NDArray(0)), h0])[1]
        let total = state.sum()
        let head = g.cond(total.relu(), then: { [(state * state).sum()] }, else: { [state.exp().sum()] })[0]
        let grads = g.gradients(of: head, with: [w, b, h0])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())

        for steps in [1, 3, 6] {
            let graphOut = try session.run([head] + grads, feed: [h0: h0Value, n: NDArray(Float(steps))])

            let we = Tensor(wValue, requiresGrad: true), be = Tensor(bValue, requiresGrad: true)
            let he = Tensor(h0Value, requiresGrad: true)
            var h = he
            for _ in 0..<steps { h = (h.matmul(we) + be).tanh() }
            let eagerHead = h.sum().item() > 0 ? (h * h).sum() : h.exp().sum()
            eagerHead.backward()

            assertClose(graphOut[0].scalars, eagerHead.scalars, tolerance: 1e-5, "value, \(steps) steps")
            assertClose(graphOut[1].scalars, we.grad!.scalars, tolerance: 1e-4, "dW, \(steps) steps")
            assertClose(graphOut[2].scalars, be.grad!.scalars, tolerance: 1e-4, "db, \(steps) steps")
            assertClose(graphOut[3].scalars, he.grad!.scalars, tolerance: 1e-4, "dh0, \(steps) steps")
        }
    }

    /// A dynamic RNN (TensorFlow's `dynamic_rnn` pattern): a loop over time steps reads step t of
    /// the input with `indexSelect` at the loop counter, for as many steps as a fed length says;
    /// eager runs the same cell in a Swift `for` over `narrow`.
    func testDynamicRNNOverAFedLengthMatchesAnEagerLoop() throws {
        let (steps, batch, inputSize, hidden) = (5, 2, 3, 4)
        let xValue = NDArray(shape: [steps, batch, inputSize], scalars: testValues(steps * batch * inputSize, seed: 81))
        let wValue = NDArray(shape: [inputSize, hidden], scalars: testValues(inputSize * hidden, seed: 82, low: -0.6, high: 0.6))
        let uValue = NDArray(shape: [hidden, hidden], scalars: testValues(hidden * hidden, seed: 83, low: -0.6, high: 0.6))

        let g = Graph()
        let x = g.placeholder(shape: [nil, nil, inputSize], name: "x")
        let length = g.placeholder(shape: [], name: "length")
        let w = g.variable(wValue, name: "w"), u = g.variable(uValue, name: "u")
        let h0 = g.placeholder(shape: [nil, hidden], name: "h0")
        let final = g.whileLoop(
            condition: { v in v[0].less(length) },
            body: { v in
                let xt = x.indexSelect(dim: 0, index: v[0].reshape([1])).squeeze(dim: 0)
                return [v[0] + 1, (xt.matmul(w) + v[1].matmul(u)).tanh()]
            },
            loopVariables: [g.constant(NDArray(0)), h0])[1]
        let loss = (final * final).sum()
        let grads = g.gradients(of: loss, with: [w, u, x])
        let session = Session(graph: g)
        try session.run(g.initializeVariables())

        for used in [1, 3, 5] {
            let out = try session.run([loss] + grads, feed: [x: xValue, length: NDArray(Float(used)), h0: NDArray(zeros: [batch, hidden])])
            let xe = Tensor(xValue, requiresGrad: true)
            let we = Tensor(wValue, requiresGrad: true), ue = Tensor(uValue, requiresGrad: true)
            var h = Tensor(NDArray(zeros: [batch, hidden]))
            for t in 0..<used {
                let xt = xe.narrow(dim: 0, start: t, length: 1).squeeze(dim: 0)
                h = (xt.matmul(we) + h.matmul(ue)).tanh()
            }
            let eagerLoss = (h * h).sum()
            eagerLoss.backward()
            assertClose(out[0].scalars, eagerLoss.scalars, tolerance: 1e-5, "loss, length \(used)")
            assertClose(out[1].scalars, we.grad!.scalars, tolerance: 1e-4, "dW, length \(used)")
            assertClose(out[2].scalars, ue.grad!.scalars, tolerance: 1e-4, "dU, length \(used)")
            assertClose(out[3].scalars, xe.grad!.scalars, tolerance: 1e-4, "dx, length \(used)")
        }
    }
}

/// Eager reference computations for the control-flow tests.
enum EagerReference {
    /// SGD on loss = sum(h_T²) with h <- tanh(h W) `iterations` times: the losses before each
    /// step and the final weight, computed by eager tensors in a Swift loop.
    static func trainRecurrence(w: NDArray, h0: NDArray, steps: Int, iterations: Int, lr: Float) -> (losses: [Float], w: NDArray) {
        let weight = Tensor(w, requiresGrad: true)
        let optimizer = SGD([weight], lr: lr)
        var losses: [Float] = []
        for _ in 0..<steps {
            optimizer.zeroGrad()
            var h = Tensor(h0)
            for _ in 0..<iterations { h = h.matmul(weight).tanh() }
            let loss = (h * h).sum()
            losses.append(loss.item())
            loss.backward()
            optimizer.step()
        }
        return (losses, weight.array)
    }
}
