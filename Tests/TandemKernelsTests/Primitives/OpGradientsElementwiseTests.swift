import TandemKernels
import XCTest

/// Finite-difference checks of the elementwise gradient rules in `Op+Gradients.swift`.
final class OpGradientsElementwiseTests: XCTestCase {
    func testBinaryOpsSameShape() {
        let a = randomArray([3, 5], seed: 1), b = randomArray([3, 5], awayFromZero: 0.5, seed: 2)
        for op in [Op.add, .sub, .mul, .div] { checkGradient(op, [a, b]) }
    }

    func testBinaryOpsBroadcastingBothSides() {
        // [4, 1, 3] with [5, 1] -> [4, 5, 3]: each side is broadcast along a different axis, so
        // both gradients must be summed back (reduceLike) over different dims.
        let a = randomArray([4, 1, 3], awayFromZero: 0.5, seed: 3), b = randomArray([5, 1], awayFromZero: 0.5, seed: 4)
        for op in [Op.add, .sub, .mul, .div] {
            checkGradient(op, [a, b])
            checkGradient(op, [b, a])
        }
    }

    func testBinaryOpsWithScalarAndRowOperands() {
        let matrix = randomArray([3, 4], awayFromZero: 0.5, seed: 5)
        let scalar = NDArray(shape: [], scalars: [0.75])
        let row = randomArray([4], awayFromZero: 0.5, seed: 6)
        for op in [Op.add, .sub, .mul, .div] {
            checkGradient(op, [matrix, scalar])
            checkGradient(op, [scalar, matrix])
            checkGradient(op, [matrix, row])
            checkGradient(op, [row, matrix])
        }
    }

    func testBinaryOpsOnNonContiguousViews() {
        let a = randomArray([4, 3], seed: 7).transposed(0, 1)
        let b = randomArray([3, 4], awayFromZero: 0.5, seed: 8)
        for op in [Op.add, .mul, .div] { checkGradient(op, [a, b]) }
    }

    func testUnaryOps() {
        let any = randomArray([2, 3, 5], in: -2...2, seed: 9)
        for op in [Op.neg, .sigmoid, .tanh, .exp, .addScalar(1.5), .mulScalar(-2.5), .pow(2), .pow(3), .pow(1)] {
            checkGradient(op, [any])
        }
        checkGradient(.relu, [randomArray([2, 3, 5], awayFromZero: 0.1, seed: 10)])
        let positive = randomArray([2, 3, 5], in: 0.5...2, seed: 11)
        for op in [Op.log, .sqrt, .pow(0.5), .pow(-1), .pow(-1.5), .pow(2.5)] { checkGradient(op, [positive]) }
    }

    func testActivationsAndClamp() {
        let kinked = randomArray([2, 3, 5], awayFromZero: 0.1, scale: 2, seed: 16)
        checkGradient(.abs, [kinked])
        checkGradient(.leakyRelu(negativeSlope: 0.01), [kinked])
        checkGradient(.leakyRelu(negativeSlope: 0.3), [kinked])
        checkGradient(.gelu, [randomArray([2, 3, 5], in: -3...3, seed: 17)])
        // Values at least 0.05 from every bound, so the steps of eps = 0.01 never cross one.
        let spread = NDArray(shape: [8], scalars: [-0.9, -0.6, -0.35, -0.1, 0.1, 0.35, 0.6, 0.9])
        for op in [Op.clamp(min: -0.5, max: 0.5), .clamp(min: nil, max: 0.2), .clamp(min: -0.2, max: nil), .clamp(min: 0.5, max: -0.5)] {
            checkGradient(op, [spread])
        }
    }

    func testReluBackwardWithRespectToGradient() {
        // reluBackward(g, x) is linear in g; x (the mask source) gets no gradient.
        let g = randomArray([3, 4], seed: 12), x = randomArray([3, 4], awayFromZero: 0.1, seed: 13)
        checkGradient(.reluBackward, [g, x], wrt: [0], noGradient: [1])
    }

    func testFusedElementwiseChain() {
        // Every step kind, ordered so the domains work out: log and sqrt see positive values,
        // relu sees values far from 0.
        let steps: [ElementwiseStep] = [
            .mulScalar(0.5), .addScalar(2), .relu, .log, .exp, .sqrt, .pow(3), .tanh, .sigmoid, .neg,
        ]
        checkGradient(.fusedElementwise(steps), [randomArray([3, 7], seed: 14)])
        checkGradient(.fusedElementwise([.pow(2), .mulScalar(3)]), [randomArray([5], seed: 15)])
        // The new steps, on values kept away from their kinks (gelu(3x) + 2 > 1.8 > 0; -x is as
        // far from 0 as x).
        checkGradient(.fusedElementwise([.mulScalar(3), .gelu, .addScalar(2), .leakyRelu(0.2), .abs, .clamp(min: nil, max: 50)]),
                      [randomArray([4, 5], seed: 18)])
        checkGradient(.fusedElementwise([.neg, .leakyRelu(0.3), .abs, .clamp(min: -9, max: nil)]),
                      [randomArray([4, 5], awayFromZero: 0.1, seed: 19)])
    }
}
