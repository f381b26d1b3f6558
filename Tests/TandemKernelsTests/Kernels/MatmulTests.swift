import TandemKernels
import XCTest

/// Matrix products and the fused linear layer (`Kernels/Matmul.swift`) against naive triple
/// loops, including operands that are transposed views, offset windows and batches.
final class MatmulTests: XCTestCase {
    private func check(_ a: NDArray, _ b: NDArray, tolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        assertClose(try! Op.matmul.evaluate([a, b]), Naive.matmul(a, b), tolerance: tolerance, "\(a.shape) x \(b.shape)", file: file, line: line)
    }

    func testOddShapes() {
        check(randomArray([3, 5], seed: 1), randomArray([5, 7], seed: 2))
        check(randomArray([1, 5], seed: 3), randomArray([5, 1], seed: 4))
        check(randomArray([7, 1], seed: 5), randomArray([1, 3], seed: 6))
    }

    func testTransposedViewOperands() {
        let aT = randomArray([5, 3], seed: 7).transposed(0, 1)  // [3, 5]
        let bT = randomArray([7, 5], seed: 8).transposed(0, 1)  // [5, 7]
        check(aT, randomArray([5, 7], seed: 9))
        check(randomArray([3, 5], seed: 10), bT)
        check(aT, bT)
        // Single-row and single-column transposes (strides that BLAS could misread).
        check(randomArray([5, 1], seed: 11).transposed(0, 1), randomArray([5, 4], seed: 12))
        check(randomArray([3, 5], seed: 13), randomArray([1, 5], seed: 14).transposed(0, 1))
    }

    func testOtherNonContiguousOperands() {
        let big = randomArray([6, 8], seed: 15)
        let window = NDArray(storage: big.storage, shape: [4, 8], strides: [8, 1], offset: 8)
        check(window, randomArray([8, 3], seed: 16))
        let everyOther = NDArray(storage: big.storage, shape: [6, 4], strides: [8, 2], offset: 1)
        check(everyOther, randomArray([4, 2], seed: 17))
        check(randomArray([2, 6], seed: 18), everyOther)
        check(randomArray([4], seed: 19).broadcast(to: [3, 4]), randomArray([4, 5], seed: 20))
    }

    func testBatched() {
        check(randomArray([2, 3, 4], seed: 21), randomArray([2, 4, 5], seed: 22))
        check(randomArray([2, 3, 4], seed: 23), randomArray([4, 5], seed: 24))
        check(randomArray([3, 4], seed: 25), randomArray([2, 4, 5], seed: 26))
        check(randomArray([2, 3, 2, 3], seed: 27), randomArray([2, 3, 3, 2], seed: 28))
        // Batched transposed views (what the backward pass produces), and a batch that is itself
        // permuted (not dense over the batch dims).
        check(randomArray([2, 4, 3], seed: 29).transposed(1, 2), randomArray([2, 5, 4], seed: 30).transposed(1, 2))
        check(randomArray([3, 2, 4], seed: 31).transposed(0, 1), randomArray([2, 4, 5], seed: 32))
    }

    func testEmptyDims() {
        check(NDArray(zeros: [0, 3]), randomArray([3, 4], seed: 33))
        check(randomArray([3, 4], seed: 34), NDArray(zeros: [4, 0]))
        // k = 0: every output is an empty sum, 0.
        XCTAssertEqual(try Op.matmul.evaluate([NDArray(ones: [2, 0]), NDArray(ones: [0, 3])]), NDArray(zeros: [2, 3]))
        XCTAssertEqual(try Op.matmul.evaluate([NDArray(ones: [0, 2, 3]), NDArray(ones: [0, 3, 4])]).shape, [0, 2, 4])
    }

    func testLarger() {
        check(randomArray([65, 300], seed: 35), randomArray([300, 33], seed: 36), tolerance: 1e-4)
    }

    // MARK: Linear

    func testLinearBothLayoutsEveryActivation() {
        let x = randomArray([5, 7], seed: 37), bias = randomArray([3], seed: 38)
        for transposed in [true, false] {
            let w = randomArray(transposed ? [3, 7] : [7, 3], seed: 39)
            for activation in Activation.allCases {
                let op = Op.linear(transposedWeight: transposed, activation: activation)
                assertClose(try! op.evaluate([x, w, bias]), Naive.linear(x, w, bias, transposed: transposed, activation: activation), "\(op)")
                // Transposed views of input and weight give the same values.
                let xView = dense([7, 5], naiveScalars(Naive.transpose(x, 0, 1))).transposed(0, 1)
                let wView = dense(w.shape.reversed(), naiveScalars(Naive.transpose(w, 0, 1))).transposed(0, 1)
                assertClose(try! op.evaluate([xView, wView, bias]), Naive.linear(x, w, bias, transposed: transposed, activation: activation), "\(op) views")
            }
        }
    }

    func testLinearEmpty() {
        let op = Op.linear(transposedWeight: true, activation: .identity)
        XCTAssertEqual(try op.evaluate([NDArray(zeros: [0, 4]), NDArray(ones: [3, 4]), NDArray(ones: [3])]).shape, [0, 3])
        // No input features: the output is the bias.
        let bias = NDArray(shape: [3], scalars: [1, 2, 3])
        XCTAssertEqual(try op.evaluate([NDArray(zeros: [2, 0]), NDArray(zeros: [3, 0]), bias]).scalars, [1, 2, 3, 1, 2, 3])
    }

    /// Products large enough to be split across the workers (`Matmul.parallelWork`): by rows of
    /// the result, and by columns when it has few rows; plain and transposed-view operands.
    func testSplitAcrossWorkers() {
        check(randomArray([300, 256], seed: 70), randomArray([256, 40], seed: 71), tolerance: 1e-4)
        check(randomArray([256, 300], seed: 72).transposed(0, 1), randomArray([256, 40], seed: 73), tolerance: 1e-4)
        check(randomArray([16, 200], seed: 74), randomArray([200, 700], seed: 75), tolerance: 1e-4)
        check(randomArray([16, 200], seed: 76), randomArray([700, 200], seed: 77).transposed(0, 1), tolerance: 1e-4)
    }
}
