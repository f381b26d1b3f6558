import TandemKernels
import XCTest

/// Finite-difference checks of the slicing, reordering, gathering and joining rules.
final class OpGradientsIndexingTests: XCTestCase {
    func testViews() {
        let x = randomArray([2, 3, 4], seed: 81)
        checkGradient(.narrow(dim: 1, start: 1, length: 2), [x])
        checkGradient(.narrow(dim: -1, start: -3, length: 2), [x])
        checkGradient(.narrow(dim: 0, start: 0, length: 0), [x])
        checkGradient(.permute([2, 0, 1]), [x])
        checkGradient(.permute([-1, 1, 0]), [x])
        checkGradient(.squeeze(dim: 1), [randomArray([2, 1, 3], seed: 82)])
        checkGradient(.squeeze(dim: 0), [x])  // size 2: nothing removed
        checkGradient(.unsqueeze(dim: 0), [x])
        checkGradient(.unsqueeze(dim: -1), [x])
        checkGradient(.narrow(dim: 0, start: 1, length: 2), [randomArray([4, 3], seed: 83).transposed(0, 1)])
    }

    func testGathers() {
        let x = randomArray([3, 4], seed: 84)
        let repeated = NDArray(shape: [5], scalars: [2, 0, 2, 3, 2])
        checkGradient(.indexSelect(dim: 1), [x, repeated], wrt: [0], noGradient: [1])
        checkGradient(.indexSelect(dim: 0), [x, NDArray(shape: [4], scalars: [1, 1, 0, 2])], wrt: [0], noGradient: [1])
        let indices = NDArray(shape: [2, 3], scalars: [4, 0, 4, 1, 4, 2])
        checkGradient(.embedding, [indices, randomArray([5, 3], seed: 85)], wrt: [1], noGradient: [0])
    }

    func testJoins() {
        let a = randomArray([2, 3], seed: 86), b = randomArray([2, 1], seed: 87), c = randomArray([2, 2], seed: 88)
        checkGradient(.cat(dim: 1, count: 3), [a, b, c])
        checkGradient(.cat(dim: -1, count: 2), [a, b])
        checkGradient(.cat(dim: 0, count: 2), [a, randomArray([4, 3], seed: 89)])
        checkGradient(.cat(dim: 0, count: 1), [a])
        for dim in [0, 1, 2, -1] {
            checkGradient(.stack(dim: dim, count: 3), [a, randomArray([2, 3], seed: 90), randomArray([2, 3], seed: 91)])
        }
    }
}
