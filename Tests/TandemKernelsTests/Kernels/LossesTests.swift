import TandemKernels
import XCTest

/// The negative log-likelihood and binary cross-entropy kernels (`Kernels/Losses.swift`).
final class LossesTests: XCTestCase {
    func testNLLLoss() throws {
        let x = randomArray([6, 4], seed: 1), labels = randomLabels(6, classes: 4, seed: 2)
        let loss = try Op.nllLoss.evaluate([x, labels])
        XCTAssertEqual(loss.shape, [])
        XCTAssertEqual(loss.scalar, Naive.nllLoss(x, labels.scalars.map { Int($0) }), accuracy: 1e-6)
        // nll(log_softmax) is cross-entropy.
        let logits = randomArray([6, 4], in: -3...3, seed: 3)
        let viaNLL = try Op.nllLoss.evaluate([try Op.logSoftmax(dim: 1).evaluate([logits]), labels]).scalar
        XCTAssertEqual(viaNLL, try Op.crossEntropy.evaluate([logits, labels]).scalar, accuracy: 1e-6)
        let grad = try Op.nllLossBackward.evaluate([x, labels])
        for (row, label) in labels.scalars.enumerated() {
            for c in 0..<4 { XCTAssertEqual(grad[row, c], c == Int(label) ? -1 / 6 : 0) }
        }
        XCTAssertTrue(try Op.nllLoss.evaluate([NDArray(zeros: [0, 3]), NDArray(zeros: [0])]).scalar.isNaN, "the mean of nothing")
        XCTAssertThrowsError(try Op.nllLoss.evaluate([x, NDArray(shape: [6], scalars: [0, 1, 2, 3, 4, 0])]))
    }

    func testBinaryCrossEntropyWithLogitsIsStable() throws {
        let x = randomArray([3, 5], in: -6...6, seed: 4), t = randomArray([3, 5], in: 0...1, seed: 5)
        XCTAssertEqual(try Op.binaryCrossEntropyWithLogits.evaluate([x, t]).scalar, Naive.binaryCrossEntropy(x, t), accuracy: 1e-6)
        // Logits where sigmoid rounds to 0 or 1 in Float: the naive formula would take log(0).
        let extreme = NDArray(shape: [4], scalars: [-100, 100, -100, 100]), targets = NDArray(shape: [4], scalars: [0, 1, 1, 0])
        XCTAssertEqual(try Op.binaryCrossEntropyWithLogits.evaluate([extreme, targets]).scalar, 50, accuracy: 1e-4)
    }
}
