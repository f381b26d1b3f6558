import TandemKernels
import XCTest

/// Finite-difference checks of the reduction gradient rules (sum, mean, max, expandLike).
final class OpGradientsReductionTests: XCTestCase {
    /// Every dim (including negative and nil) and both keepDim values.
    private var reductionVariants: [(Int?, Bool)] {
        [(nil, false), (nil, true), (0, false), (1, true), (2, false), (-1, true), (-2, false)]
    }

    func testSumAndMean() {
        let x = randomArray([3, 4, 5], seed: 21)
        for (dim, keepDim) in reductionVariants {
            checkGradient(.sum(dim: dim, keepDim: keepDim), [x])
            checkGradient(.mean(dim: dim, keepDim: keepDim), [x])
        }
    }

    func testMaxWithDistinctValues() {
        // Distinct values 0.05 apart: a ±0.01 nudge never changes which element is the maximum.
        let x = distinctArray([3, 4, 5], spacing: 0.05, seed: 22)
        for (dim, keepDim) in reductionVariants {
            checkGradient(.max(dim: dim, keepDim: keepDim), [x])
        }
    }

    func testExpandLike() {
        let like = randomArray([2, 3, 4], seed: 23)
        let cases: [(Int?, Bool, [Int])] = [
            (nil, false, []), (nil, true, [1, 1, 1]), (1, false, [2, 4]), (1, true, [2, 1, 4]), (-1, false, [2, 3]),
        ]
        for (dim, keepDim, gShape) in cases {
            let g = randomArray(gShape, seed: 24)
            for mean in [false, true] {
                checkGradient(.expandLike(dim: dim, keepDim: keepDim, mean: mean), [g, like], wrt: [0], noGradient: [1])
            }
        }
    }
}
