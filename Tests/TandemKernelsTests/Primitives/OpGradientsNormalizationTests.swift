import TandemKernels
import XCTest

/// Finite-difference checks of the batch and layer normalisation rules. The training-mode
/// composite (normalising with `batchStatistics` of the same input) is checked end to end in
/// the frontends' tests; here every primitive is checked on its own, with respect to every input.
final class OpGradientsNormalizationTests: XCTestCase {
    func testBatchStatistics() {
        checkGradient(.batchStatistics, [randomArray([5, 3], seed: 101)])
        checkGradient(.batchStatistics, [randomArray([3, 2, 2, 3], seed: 102)])
    }

    func testBatchNormAffine() {
        let x = randomArray([4, 3, 2, 2], in: -2...2, seed: 103)
        let mean = randomArray([3], seed: 104), variance = randomArray([3], in: 0.5...2, seed: 105)
        let weight = randomArray([3], seed: 106), bias = randomArray([3], seed: 107)
        checkGradient(.batchNorm(eps: 1e-5, affine: true), [x, mean, variance, weight, bias])
        checkGradient(.batchNorm(eps: 0.1, affine: true), [randomArray([6, 3], seed: 108), mean, variance, weight, bias])
    }

    func testBatchNormWithoutAffine() {
        let mean = randomArray([2], seed: 109), variance = randomArray([2], in: 0.5...2, seed: 110)
        checkGradient(.batchNorm(eps: 1e-5, affine: false), [randomArray([3, 2, 4], seed: 111), mean, variance])
    }

    func testLayerNorm() {
        let x = randomArray([3, 4], in: -2...2, seed: 112)
        checkGradient(.layerNorm(normalizedShape: [4], eps: 1e-5, affine: false), [x])
        checkGradient(.layerNorm(normalizedShape: [4], eps: 1e-5, affine: true), [x, randomArray([4], seed: 113), randomArray([4], seed: 114)])
        let cube = randomArray([2, 2, 3], seed: 115)
        checkGradient(.layerNorm(normalizedShape: [2, 3], eps: 1e-3, affine: true), [cube, randomArray([2, 3], seed: 116), randomArray([2, 3], seed: 117)])
        checkGradient(.layerNorm(normalizedShape: [3], eps: 1e-5, affine: false), [cube])
    }
}
