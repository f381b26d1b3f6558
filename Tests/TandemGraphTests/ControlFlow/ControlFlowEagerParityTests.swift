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
