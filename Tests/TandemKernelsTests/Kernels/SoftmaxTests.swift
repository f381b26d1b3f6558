import Foundation
import TandemKernels
import XCTest

/// Softmax, log-softmax and cross-entropy (`Kernels/Softmax.swift`) against their definitions.
final class SoftmaxTests: XCTestCase {
    func testSoftmaxEveryDim() {
        let x = randomArray([3, 5, 7], in: -3...3, seed: 1)
        for dim in [0, 1, 2, -1] {
            assertClose(try! Op.softmax(dim: dim).evaluate([x]), Naive.softmax(x, dim: dim), "softmax \(dim)")
            assertClose(try! Op.logSoftmax(dim: dim).evaluate([x]), Naive.softmax(x, dim: dim, log: true), "logSoftmax \(dim)")
        }
    }

    func testNonContiguousAndLarge() {
        let t = randomArray([7, 5], in: -3...3, seed: 2).transposed(0, 1)
        assertClose(try! Op.softmax(dim: 1).evaluate([t]), Naive.softmax(t, dim: 1))
        let big = randomArray([7001, 10], in: -3...3, seed: 3)
        assertClose(try! Op.logSoftmax(dim: 1).evaluate([big]), Naive.softmax(big, dim: 1, log: true))
        assertClose(try! Op.softmax(dim: 0).evaluate([big]), Naive.softmax(big, dim: 0))
    }

    func testLargeLogitsDoNotOverflow() {
        // softmax is shift-invariant; exp(1000) overflows Float, the max subtraction must avoid it.
        let x = randomArray([4, 6], in: -3...3, seed: 4)
        let shifted = Naive.unary(x) { $0 + 1000 }
        assertClose(try! Op.softmax(dim: 1).evaluate([shifted]), Naive.softmax(x, dim: 1))
        assertClose(try! Op.logSoftmax(dim: 1).evaluate([shifted]), Naive.softmax(x, dim: 1, log: true), tolerance: 1e-4)
    }

    func testInfiniteEntries() {
        let x = NDArray(shape: [2, 3], scalars: [0, -.infinity, 0, -.infinity, -.infinity, -.infinity])
        let y = try! Op.softmax(dim: 1).evaluate([x]).scalars
        XCTAssertEqual(Array(y[0..<3]), [0.5, 0, 0.5])
        XCTAssertTrue(y[3...].allSatisfy(\.isNaN), "a row of -inf has no distribution (PyTorch: NaN)")
    }

    func testEmpty() {
        XCTAssertEqual(try Op.softmax(dim: 1).evaluate([NDArray(zeros: [0, 4])]).shape, [0, 4])
        XCTAssertEqual(try Op.softmax(dim: 1).evaluate([NDArray(zeros: [3, 0])]).shape, [3, 0])
    }

    func testCrossEntropy() {
        let logits = randomArray([6, 5], in: -3...3, seed: 5)
        let labels = [0, 4, 2, 2, 1, 3]
        let labelArray = dense([6], labels.map(Float.init))
        XCTAssertEqual(try Op.crossEntropy.evaluate([logits, labelArray]).scalar, Naive.crossEntropy(logits, labels), accuracy: 1e-5)
        // The backward kernel: (softmax - onehot) / N.
        let p = naiveScalars(Naive.softmax(logits, dim: 1))
        let expected = (0..<30).map { i -> Float in
            let onehot: Float = labels[i / 5] == i % 5 ? 1 : 0
            return (p[i] - onehot) / 6
        }
        assertClose(naiveScalars(try! Op.crossEntropyBackward.evaluate([logits, labelArray])), expected)
        // A transposed view of logits.
        let t = dense([5, 6], naiveScalars(Naive.transpose(logits, 0, 1))).transposed(0, 1)
        XCTAssertEqual(try Op.crossEntropy.evaluate([t, labelArray]).scalar, Naive.crossEntropy(logits, labels), accuracy: 1e-5)
        // Large logits stay finite.
        let huge = Naive.unary(logits) { $0 * 100 }
        XCTAssertEqual(try Op.crossEntropy.evaluate([huge, labelArray]).scalar, Naive.crossEntropy(huge, labels), accuracy: 1e-3)
    }

    func testCrossEntropyEmptyBatchIsNaN() {
        XCTAssertTrue(try Op.crossEntropy.evaluate([NDArray(zeros: [0, 3]), NDArray(zeros: [0])]).scalar.isNaN)
    }

    func testBadLabelsAreValueErrors() {
        let logits = NDArray(zeros: [2, 3])
        for bad in [[0, 1.5], [0, 3], [-1, 0]] as [[Float]] {
            for op in [Op.crossEntropy, .crossEntropyBackward] {
                let location = SourceLocation(file: "Train.swift", line: 9)
                let error = assertThrowsTandemError { () throws(TandemError) in try op.evaluate([logits, dense([2], bad)], at: location) }
                guard case let .invalidValue(name, reason, errorLocation)? = error else { return XCTFail("\(String(describing: error))") }
                XCTAssertEqual(name, op.name)
                XCTAssertTrue(reason.contains("label"), reason)
                XCTAssertEqual(errorLocation, location)
                XCTAssertTrue(error!.description.contains("Train.swift:9"))
            }
        }
    }
}
