import TandemKernels
import XCTest

/// The reduction kernels (`Kernels/Reduction.swift`) and the ops built on them (sum, mean, max,
/// argmax and their backward helpers) against naive loops.
final class ReductionTests: XCTestCase {
    private let variants: [(Int?, Bool)] = [(nil, false), (nil, true), (0, false), (1, true), (2, false), (-1, false), (-3, true)]

    private func checkAll(_ x: NDArray, tolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        for (dim, keepDim) in variants where dim.map({ $0 < x.rank && $0 >= -x.rank }) ?? true {
            assertClose(try! Op.sum(dim: dim, keepDim: keepDim).evaluate([x]), Naive.reduce(x, dim: dim, keepDim: keepDim, Naive.sum),
                        tolerance: tolerance, "sum \(String(describing: dim))", file: file, line: line)
            assertClose(try! Op.mean(dim: dim, keepDim: keepDim).evaluate([x]), Naive.reduce(x, dim: dim, keepDim: keepDim, Naive.mean),
                        tolerance: tolerance, "mean \(String(describing: dim))", file: file, line: line)
            assertClose(try! Op.max(dim: dim, keepDim: keepDim).evaluate([x]), Naive.reduce(x, dim: dim, keepDim: keepDim, Naive.max),
                        tolerance: 0, "max \(String(describing: dim))", file: file, line: line)
            if let dim {
                assertClose(try! Op.argmax(dim: dim).evaluate([x]), Naive.reduce(x, dim: dim, Naive.argmax),
                            tolerance: 0, "argmax \(dim)", file: file, line: line)
            }
        }
    }

    func testOddShape() { checkAll(randomArray([3, 5, 7], seed: 1)) }

    func testNonContiguousInputs() {
        checkAll(randomArray([7, 5, 3], seed: 2).transposed(0, 2))
        checkAll(randomArray([5, 1], seed: 3).broadcast(to: [3, 5, 4]))
    }

    func testAboveParallelThreshold() {
        // Sum over everything splits across workers; sums over a dim split by rows (each of
        // two rows of 33001 on its own worker) or by outer blocks of [3, 97].
        let long = randomArray([2, 33001], seed: 4), wide = randomArray([300, 3, 97], seed: 5)
        for (x, dim) in [(long, nil), (long, 0), (long, 1), (wide, nil), (wide, 1), (wide, 2)] as [(NDArray, Int?)] {
            assertClose(try! Op.sum(dim: dim, keepDim: false).evaluate([x]), Naive.reduce(x, dim: dim, Naive.sum), tolerance: 1e-4)
            assertClose(try! Op.mean(dim: dim, keepDim: true).evaluate([x]), Naive.reduce(x, dim: dim, keepDim: true, Naive.mean), tolerance: 1e-5)
        }
    }

    func testTiesPickTheFirstIndex() {
        let x = NDArray(shape: [2, 4], scalars: [1, 3, 3, 0, 2, 2, 2, 2])
        XCTAssertEqual(try Op.argmax(dim: 1).evaluate([x]).scalars, [1, 0])
        // max's gradient goes to the first maximum only, as PyTorch's max(dim).
        let g = NDArray(shape: [2], scalars: [10, 20])
        XCTAssertEqual(try Op.maxBackward(dim: 1, keepDim: false).evaluate([g, x]).scalars, [0, 10, 0, 0, 20, 0, 0, 0])
    }

    func testNaNPropagatesThroughMax() {
        let x = NDArray(shape: [2, 3], scalars: [1, .nan, 5, 4, 2, 3])
        let y = try! Op.max(dim: 1, keepDim: false).evaluate([x]).scalars
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(y[1], 4)
        XCTAssertTrue(try Op.max(dim: nil, keepDim: false).evaluate([x]).scalar.isNaN)
    }

    func testEmptyDims() {
        let x = NDArray(zeros: [0, 3])
        XCTAssertEqual(try Op.sum(dim: 0, keepDim: false).evaluate([x]), NDArray(zeros: [3]))
        XCTAssertEqual(try Op.sum(dim: 1, keepDim: false).evaluate([x]).shape, [0])
        XCTAssertEqual(try Op.sum(dim: nil, keepDim: false).evaluate([x]).scalar, 0)
        // The mean of nothing is NaN, as in PyTorch.
        XCTAssertTrue(try Op.mean(dim: nil, keepDim: false).evaluate([x]).scalar.isNaN)
        XCTAssertTrue(try Op.mean(dim: 0, keepDim: true).evaluate([x]).scalars.allSatisfy(\.isNaN))
        // max over a non-empty dim of an empty array is empty (PyTorch: shape [0]); over an empty
        // dim or over everything it is an error, not a crash.
        XCTAssertEqual(try Op.max(dim: 1, keepDim: false).evaluate([x]).shape, [0])
        XCTAssertEqual(try Op.argmax(dim: 1).evaluate([x]).shape, [0])
        assertShapeError(.max(dim: 0, keepDim: false), [[0, 3]])
        assertShapeError(.argmax(dim: 0), [[0, 3]])
        let error = assertThrowsTandemError { () throws(TandemError) in try Op.max(dim: nil, keepDim: false).evaluate([x]) }
        guard case .invalidValue(op: "max", _, _) = error else { return XCTFail("\(String(describing: error))") }
    }

    func testExpandLike() {
        let like = NDArray(zeros: [2, 3, 4])
        let cases: [(Int?, Bool, [Int])] = [(nil, false, []), (nil, true, [1, 1, 1]), (1, false, [2, 4]), (1, true, [2, 1, 4]), (-1, false, [2, 3])]
        for (dim, keepDim, gShape) in cases {
            let g = randomArray(gShape, seed: 6)
            let kept = dim.map { d -> [Int] in var s = like.shape; s[d < 0 ? d + 3 : d] = 1; return s } ?? [1, 1, 1]
            let expected = Naive.broadcast(Naive.reshape(g, kept), to: like.shape)
            let n = Float(dim.map { like.shape[$0 < 0 ? $0 + 3 : $0] } ?? like.count)
            assertClose(try! Op.expandLike(dim: dim, keepDim: keepDim, mean: false).evaluate([g, like]), expected)
            assertClose(try! Op.expandLike(dim: dim, keepDim: keepDim, mean: true).evaluate([g, like]),
                        Naive.unary(expected) { $0 / Double(n) })
        }
    }

    func testBackwardHelpersAcceptTheGradientWithOrWithoutTheReducedDim() {
        let x = distinctArray([2, 3, 4], seed: 11)
        let removed = randomArray([2, 4], seed: 12), kept = Naive.reshape(removed, [2, 1, 4])
        for keepDim in [false, true] {
            let expand = Op.expandLike(dim: 1, keepDim: keepDim, mean: false)
            XCTAssertEqual(try expand.evaluate([removed, x]), try expand.evaluate([kept, x]))
            XCTAssertEqual(try expand.evaluate([kept, x]), Naive.broadcast(kept, to: [2, 3, 4]))
            let route = Op.maxBackward(dim: 1, keepDim: keepDim)
            XCTAssertEqual(try route.evaluate([removed, x]), try route.evaluate([kept, x]))
        }
    }

    func testMaxBackwardRoutesToTheMaximum() {
        let x = distinctArray([3, 4, 5], seed: 7)
        for (dim, keepDim) in variants {
            let yShape = Naive.reduce(x, dim: dim, keepDim: keepDim, Naive.max).shape
            let g = randomArray(yShape, seed: 8)
            // Naive: for each output position, the gradient lands on the (unique) maximum.
            let maxima = Naive.reduce(x, dim: dim, keepDim: true, Naive.max)
            let broadcastMax = naiveScalars(Naive.broadcast(maxima, to: x.shape))
            let broadcastG = naiveScalars(Naive.broadcast(Naive.reshape(g, maxima.shape), to: x.shape))
            let expected = zip(naiveScalars(x), zip(broadcastMax, broadcastG)).map { $0 == $1.0 ? $1.1 : 0 }
            XCTAssertEqual(try Op.maxBackward(dim: dim, keepDim: keepDim).evaluate([g, x]).scalars, expected, "\(String(describing: dim))")
        }
    }

    func testReduceLikeAndBroadcastLike() {
        let big = randomArray([4, 3, 5], seed: 9)
        for target in [[4, 3, 5], [3, 5], [1, 5], [3, 1], [4, 1, 1], [], [1]] {
            assertClose(try! Op.reduceLike.evaluate([big, NDArray(zeros: target)]), Naive.sumTo(big, target), "\(target)")
            let small = randomArray(target, seed: 10)
            assertClose(try! Op.broadcastLike.evaluate([small, big]), Naive.broadcast(small, to: big.shape), "\(target)")
        }
        let t = big.transposed(0, 2)
        assertClose(try! Op.reduceLike.evaluate([t, NDArray(zeros: [1, 4])]), Naive.sumTo(t, [1, 4]))
    }
}
