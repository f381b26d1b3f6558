import XCTest

@testable import TandemEager

/// What the tape keeps alive: the values PyTorch's `save_for_backward` keeps, op by op, and no
/// more. Measured with `MemoryStats` (every array byte), so a node that kept an input it does not
/// need would show up as bytes.
final class TapeNodeTests: XCTestCase {
    /// One activation of `count` floats, in bytes.
    private let count = 64 * 1024
    private var bytes: Int { count * 4 }

    override func setUp() {
        super.setUp()
        _ = Tensor.shapeOnly([1])  // the stand-ins' one shared zero (4 bytes), made before any measurement
    }

    private func leaf() -> Tensor {
        Tensor(NDArray(shape: [count], scalars: (0..<count).map { Float($0 % 7) - 3 }), requiresGrad: true)
    }

    /// relu keeps its output (PyTorch: `result`), not its input: the pre-activation is freed.
    func testReluKeepsOutputNotInput() {
        let x = leaf()
        let base = MemoryStats.liveBytes
        let y = (x * 2).relu()  // x * 2 is an intermediate the program drops
        XCTAssertEqual(MemoryStats.liveBytes - base, bytes, "only relu's output is alive, not x * 2")
        XCTAssertEqual(y.recordedTape().last?.saved, ["output"])
        y.sum().backward()
        assertClose(x.grad!.scalars, x.scalars.map { $0 > 0 ? 2 : 0 }, "d relu(2x)/dx")
    }

    /// exp, sigmoid, tanh keep their output only; log keeps its input only (PyTorch saves `self`).
    func testUnaryOpsKeepWhatTheirRuleReads() {
        let x = leaf()
        for (name, op) in [("exp", { (t: Tensor) in t.exp() }), ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() })] {
            let base = MemoryStats.liveBytes
            let y = op(x * 0.1)
            XCTAssertEqual(MemoryStats.liveBytes - base, bytes, "\(name) keeps its output only")
            _ = y
        }
        let base = MemoryStats.liveBytes
        let y = (x * x + 1).log()
        XCTAssertEqual(MemoryStats.liveBytes - base, 2 * bytes, "log keeps its input (x*x + 1) and returns its output")
        XCTAssertEqual(y.recordedTape().last?.saved, ["input 0"])
    }

    /// add and sum keep no values (PyTorch saves nothing for them): a chain of adds holds only
    /// its final result.
    func testAddKeepsNothing() {
        let x = leaf()
        let base = MemoryStats.liveBytes
        var y = x + 1
        for _ in 0..<5 { y = y + 1 }
        XCTAssertEqual(MemoryStats.liveBytes - base, bytes, "five adds later, only the last result is alive")
        XCTAssertTrue(y.recordedTape().allSatisfy(\.saved.isEmpty))
        y.sum().backward()
        assertClose(x.grad!.scalars, [Float](repeating: 1, count: count), "d sum(x + 6)/dx")
    }

    /// A linear + relu stack keeps one activation per layer (the relu output, which the next
    /// linear also reads), as PyTorch does, not two.
    func testLinearReluStackKeepsOneActivationPerLayer() {
        let width = 256, rows = 64
        let input = Tensor(NDArray(shape: [rows, width], scalars: (0..<rows * width).map { Float($0 % 13) / 13 - 0.5 }))
        let weights = (0..<4).map { _ in Tensor(Initializer.kaimingUniform([width, width]), requiresGrad: true) }
        let bias = Tensor(NDArray(zeros: [width]), requiresGrad: true)
        let base = MemoryStats.liveBytes
        var h = input
        for w in weights { h = linear(h, weight: w, bias: bias).relu() }
        XCTAssertEqual(MemoryStats.liveBytes - base, 4 * rows * width * 4, "four relu outputs, no pre-activations")
        h.sum().backward()
        XCTAssertNotNil(weights[0].grad)
    }

    /// A product keeps a factor only when the other factor wants a gradient (PyTorch's `mul`):
    /// dropout's `x * mask` keeps the mask, not the activation `x`; the gradient is still right.
    func testProductKeepsAFactorOnlyForTheOtherFactorsGradient() {
        let x = leaf()
        let mask = Tensor(NDArray(shape: [count], scalars: (0..<count).map { Float($0 % 2) }))  // no gradient
        let base = MemoryStats.liveBytes
        let y = (x + 1) * mask  // x + 1 is an activation the program drops
        XCTAssertEqual(MemoryStats.liveBytes - base, bytes, "only the product is alive: x + 1 was not kept")
        XCTAssertEqual(y.recordedTape().last?.saved, ["input 1"])
        y.sum().backward()
        assertClose(x.grad!.scalars, mask.scalars, "d sum((x + 1) * mask)/dx = mask")
    }

    /// A frozen weight: `h @ w` with `w` not requiring a gradient keeps `w`, not the activation.
    func testMatmulWithAFrozenWeightDropsTheActivation() {
        let x = Tensor(NDArray(shape: [64, 32], scalars: (0..<2048).map { Float($0 % 5) - 2 }), requiresGrad: true)
        let w = Tensor(NDArray(shape: [32, 16], scalars: (0..<512).map { Float($0 % 3) - 1 }))
        let base = MemoryStats.liveBytes
        let y = (x * 2).matmul(w)
        XCTAssertEqual(MemoryStats.liveBytes - base, 64 * 16 * 4, "only the [64, 16] result is alive")
        y.sum().backward()
        // d sum((2x) w)/dx = 2 * (row sums of w), the same for every row.
        let ws = w.scalars
        var rowSums = [Float](repeating: 0, count: 32)
        for r in 0..<32 { for c in 0..<16 { rowSums[r] += 2 * ws[r * 16 + c] } }
        assertClose(Array(x.grad!.scalars.prefix(32)), rowSums, "first row of dL/dx")
    }
}
