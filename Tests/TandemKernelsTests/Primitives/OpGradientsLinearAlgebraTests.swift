import TandemKernels
import XCTest

/// Finite-difference checks of matmul and the fused linear layer.
final class OpGradientsLinearAlgebraTests: XCTestCase {
    func testMatmul2D() {
        checkGradient(.matmul, [randomArray([3, 4], seed: 41), randomArray([4, 5], seed: 42)])
        checkGradient(.matmul, [randomArray([1, 3], seed: 43), randomArray([3, 1], seed: 44)])
    }

    func testMatmulWithTransposedViews() {
        let a = randomArray([4, 3], seed: 45).transposed(0, 1), b = randomArray([5, 4], seed: 46).transposed(0, 1)
        checkGradient(.matmul, [a, b])
    }

    func testMatmulBatched() {
        checkGradient(.matmul, [randomArray([2, 3, 4], seed: 47), randomArray([2, 4, 5], seed: 48)])
        // One side a matrix: its gradient sums over the other side's batch.
        checkGradient(.matmul, [randomArray([2, 3, 4], seed: 49), randomArray([4, 5], seed: 50)])
        checkGradient(.matmul, [randomArray([3, 4], seed: 51), randomArray([2, 4, 5], seed: 52)])
    }

    func testLinearEveryLayoutAndActivation() {
        // Small x and w with large biases keep every pre-activation at least 0.4 away from 0,
        // relu's kink, even after a ±0.01 nudge.
        let x = randomArray([4, 3], in: -0.1...0.1, seed: 53)
        let bias = randomArray([5], awayFromZero: 0.5, seed: 54)
        for transposed in [true, false] {
            let w = randomArray(transposed ? [5, 3] : [3, 5], in: -0.1...0.1, seed: 55)
            for activation in Activation.allCases {
                checkGradient(.linear(transposedWeight: transposed, activation: activation), [x, w, bias])
            }
        }
    }

    func testLinearWithLargerWeightsSmoothActivations() {
        let x = randomArray([3, 4], seed: 56), w = randomArray([2, 4], seed: 57), b = randomArray([2], seed: 58)
        for activation in [Activation.identity, .sigmoid, .tanh] {
            checkGradient(.linear(transposedWeight: true, activation: activation), [x, w, b])
        }
    }

    func testNeededSkipsUnwantedGradients() {
        let a = Value(randomArray([2, 3], seed: 59)), b = Value(randomArray([3, 4], seed: 60))
        let y = Value(try! Op.matmul.evaluate([a.array, b.array]))
        let g = Value(NDArray(ones: y.array.shape))
        let grads = Op.matmul.gradient(inputs: [a, b], output: y, grad: g, needed: [false, true])
        XCTAssertNil(grads[0])
        XCTAssertEqual(grads[1]?.array.shape, [3, 4])
        let addGrads = Op.add.gradient(inputs: [a, a], output: a, grad: a, needed: [true, false])
        XCTAssertNotNil(addGrads[0])
        XCTAssertNil(addGrads[1])
    }
}
