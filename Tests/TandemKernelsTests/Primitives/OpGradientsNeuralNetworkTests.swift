import TandemKernels
import XCTest

/// Finite-difference checks of softmax, log-softmax, conv2d, max-pooling and cross-entropy.
final class OpGradientsNeuralNetworkTests: XCTestCase {
    func testSoftmaxAndLogSoftmax() {
        let x = randomArray([3, 5], in: -2...2, seed: 61)
        let cube = randomArray([2, 3, 4], in: -2...2, seed: 62)
        for dim in [0, 1, -1] {
            checkGradient(.softmax(dim: dim), [x])
            checkGradient(.logSoftmax(dim: dim), [x])
        }
        checkGradient(.softmax(dim: 1), [cube])
        checkGradient(.logSoftmax(dim: 1), [cube])
    }

    func testConv2dStridesAndPaddings() {
        for (stride, padding) in [(1, 0), (1, 1), (2, 0), (2, 1)] {
            let x = randomArray([2, 3, 5, 6], seed: 63), w = randomArray([4, 3, 3, 2], seed: 64)
            checkGradient(.conv2d(stride: stride, padding: padding), [x, w])
        }
    }

    func testMaxPool2d() {
        // Non-overlapping (k = s = 2, odd size: the last row and column are dropped) and
        // overlapping windows (k = 3, s = 2: an element can win two windows).
        let x = distinctArray([2, 2, 5, 7], spacing: 0.05, seed: 65)
        checkGradient(.maxPool2d(kernelSize: 2, stride: 2), [x])
        checkGradient(.maxPool2d(kernelSize: 3, stride: 2), [x])
        checkGradient(.maxPool2d(kernelSize: 2, stride: 1), [x])
    }

    func testCrossEntropy() {
        let logits = randomArray([4, 5], in: -2...2, seed: 66)
        checkGradient(.crossEntropy, [logits, randomLabels(4, classes: 5, seed: 67)], wrt: [0], noGradient: [1])
    }
}
