import TandemKernels
import XCTest

/// `NDArray.description` (`Core/NDArray+Description.swift`): PyTorch-like printing.
final class NDArrayDescriptionTests: XCTestCase {
    func testWholeNumbers() {
        XCTAssertEqual(NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).description, "[[1., 2., 3.],\n [4., 5., 6.]], shape [2, 3]")
        XCTAssertEqual(NDArray(shape: [3], scalars: [1, -20, 3]).description, "[  1., -20.,   3.], shape [3]")
    }

    func testFractionsAndSpecialValues() {
        XCTAssertEqual(NDArray(shape: [2], scalars: [0.5, -1.25]).description, "[ 0.5000, -1.2500], shape [2]")
        XCTAssertEqual(NDArray(shape: [3], scalars: [.nan, .infinity, 1.5]).description, "[   nan,    inf, 1.5000], shape [3]")
        XCTAssertEqual(NDArray(shape: [2], scalars: [1e-5, 2]).description, "[1.0000e-05, 2.0000e+00], shape [2]")
    }

    func testRankZeroAndEmpty() {
        XCTAssertEqual(NDArray(3).description, "3.")
        XCTAssertEqual(NDArray(0.25).description, "0.2500")
        XCTAssertEqual(NDArray(zeros: [0]).description, "[], shape [0]")
    }

    func testThreeDimensions() {
        let a = NDArray(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(a.description, "[[[1., 2.],\n  [3., 4.]],\n\n [[5., 6.],\n  [7., 8.]]], shape [2, 2, 2]")
    }

    func testNonContiguousViewPrintsItsValues() {
        let t = NDArray(shape: [2, 2], scalars: [1, 2, 3, 4]).transposed(0, 1)
        XCTAssertEqual(t.description, "[[1., 3.],\n [2., 4.]], shape [2, 2]")
    }

    func testLargeArraysAreElided() {
        let big = NDArray(shape: [1001], scalars: (0..<1001).map(Float.init))
        XCTAssertEqual(big.description, "[   0.,    1.,    2., ...,  998.,  999., 1000.], shape [1001]")
        let exactly1000 = NDArray(shape: [1000], scalars: (0..<1000).map(Float.init))
        XCTAssertFalse(exactly1000.description.contains("..."), "1000 elements are printed in full")
        let matrix = NDArray(shape: [40, 40], scalars: (0..<1600).map { Float($0 % 10) })
        let lines = matrix.description.split(separator: "\n")
        XCTAssertEqual(lines.count, 7, "three rows, the ellipsis, three rows")
        XCTAssertEqual(lines[0], "[[0., 1., 2., ..., 7., 8., 9.],")
        XCTAssertEqual(lines[3], " ...,")
        XCTAssertTrue(matrix.description.hasSuffix("shape [40, 40]"))
    }
}
