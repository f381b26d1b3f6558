import TandemKernels
import XCTest

/// Finite-difference checks of softmax, log-softmax, conv2d, pooling and the losses.
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

    func testAvgPool2d() {
        let x = randomArray([2, 2, 5, 7], seed: 68)
        for (k, s, p) in [(2, 2, 0), (3, 2, 1), (2, 1, 1), (3, 3, 0)] {
            checkGradient(.avgPool2d(kernelSize: k, stride: s, padding: p), [x])
        }
    }

    func testLosses() {
        let logits = randomArray([4, 5], in: -2...2, seed: 66)
        let labels = randomLabels(4, classes: 5, seed: 67)
        checkGradient(.crossEntropy, [logits, labels], wrt: [0], noGradient: [1])
        checkGradient(.nllLoss, [logits, labels], wrt: [0], noGradient: [1])
        let targets = randomArray([3, 4], in: 0...1, seed: 69)
        checkGradient(.binaryCrossEntropyWithLogits, [randomArray([3, 4], in: -4...4, seed: 70), targets])
        // Large logits of both signs: the stable form keeps the gradient finite and right.
        checkGradient(.binaryCrossEntropyWithLogits, [NDArray(shape: [4], scalars: [-30, -8, 8, 30]), NDArray(shape: [4], scalars: [1, 0, 0.5, 0])])
    }
}
