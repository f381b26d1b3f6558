import TandemKernels
import XCTest

/// Finite-difference checks of the shape ops' gradient rules (views and their adjoints).
final class OpGradientsShapeTests: XCTestCase {
    func testReshapeAndFlatten() {
        let x = randomArray([2, 3, 4], seed: 31)
        checkGradient(.reshape([4, -1]), [x])
        checkGradient(.reshape([24]), [x])
        checkGradient(.flatten(startDim: 1), [x])
        checkGradient(.flatten(startDim: 0), [x])
        checkGradient(.reshape([6, 4]), [x.transposed(0, 2)])
    }

    func testReshapeLike() {
        checkGradient(.reshapeLike, [randomArray([2, 6], seed: 32), NDArray(zeros: [3, 4])], wrt: [0], noGradient: [1])
    }

    func testTranspose() {
        let x = randomArray([2, 3, 4], seed: 33)
        checkGradient(.transpose(0, 2), [x])
        checkGradient(.transpose(-1, -2), [x])
        checkGradient(.transpose(1, 1), [x])
    }

    func testBroadcastLikeAndReduceLike() {
        let small = randomArray([3, 1], seed: 34), big = randomArray([2, 3, 4], seed: 35)
        checkGradient(.broadcastLike, [small, big], wrt: [0], noGradient: [1])
        checkGradient(.reduceLike, [big, small], wrt: [0], noGradient: [1])
        checkGradient(.reduceLike, [big, NDArray(zeros: [4])], wrt: [0], noGradient: [1])
        checkGradient(.broadcastLike, [big, big], wrt: [0], noGradient: [1])
    }
}
