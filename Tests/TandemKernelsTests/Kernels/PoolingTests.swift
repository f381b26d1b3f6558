import TandemKernels
import XCTest

/// Max and average pooling (`Kernels/Pooling.swift`) against naive loops.
final class PoolingTests: XCTestCase {
    private let windows: [(kernel: Int, stride: Int)] = [(2, 2), (3, 2), (2, 1), (3, 3), (1, 1)]

    func testForwardOddShapes() {
        let x = randomArray([2, 3, 7, 5], seed: 1)
        for (k, s) in windows {
            XCTAssertEqual(try Op.maxPool2d(kernelSize: k, stride: s).evaluate([x]), Naive.maxPool2d(x, kernel: k, stride: s), "k \(k) s \(s)")
        }
    }

    func testForwardNonContiguousAndLarge() {
        let t = randomArray([2, 3, 5, 8], seed: 2).transposed(2, 3)
        XCTAssertEqual(try Op.maxPool2d(kernelSize: 2, stride: 2).evaluate([t]), Naive.maxPool2d(t, kernel: 2, stride: 2))
        // 4 x 8 planes of 48 x 48 = 73728 elements: the planes are split across workers.
        let big = randomArray([4, 8, 48, 48], seed: 3)
        XCTAssertEqual(try Op.maxPool2d(kernelSize: 2, stride: 2).evaluate([big]), Naive.maxPool2d(big, kernel: 2, stride: 2))
    }

    func testForwardEmptyAndNaN() {
        XCTAssertEqual(try Op.maxPool2d(kernelSize: 2, stride: 2).evaluate([NDArray(zeros: [0, 3, 4, 4])]).shape, [0, 3, 2, 2])
        let x = NDArray(shape: [1, 1, 2, 4], scalars: [1, .nan, 3, 4, 5, 6, 7, 8])
        let y = try! Op.maxPool2d(kernelSize: 2, stride: 2).evaluate([x]).scalars
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(y[1], 8)
    }

    func testBackwardRoutesEachWindowToItsMaximum() {
        let x = distinctArray([2, 2, 7, 5], seed: 4)
        for (k, s) in windows {
            let y = Naive.maxPool2d(x, kernel: k, stride: s)
            let g = randomArray(y.shape, seed: 5)
            // Naive scatter: each window adds its gradient at the position of its maximum.
            let xv = naiveScalars(x), gv = naiveScalars(g)
            var expected = [Float](repeating: 0, count: x.count)
            let (h, w, oh, ow) = (7, 5, y.shape[2], y.shape[3])
            for plane in 0..<4 {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var best = -Float.infinity, at = 0
                        for di in 0..<k {
                            for dj in 0..<k {
                                let p = (plane * h + i * s + di) * w + j * s + dj
                                if xv[p] > best { (best, at) = (xv[p], p) }
                            }
                        }
                        expected[at] += gv[(plane * oh + i) * ow + j]
                    }
                }
            }
            let dx = try! Op.maxPool2dBackward(kernelSize: k, stride: s).evaluate([g, x])
            assertClose(naiveScalars(dx), expected, "k \(k) s \(s)")
        }
    }

    func testAveragePoolingWithPadding() throws {
        let x = randomArray([2, 3, 7, 6], seed: 6)
        for (k, s, p) in [(2, 2, 0), (3, 2, 1), (2, 1, 1), (3, 3, 0), (1, 1, 0), (5, 1, 2)] {
            let op = Op.avgPool2d(kernelSize: k, stride: s, padding: p)
            let y = try op.evaluate([x])
            assertClose(y, Naive.avgPool2d(x, kernel: k, stride: s, padding: p), "k \(k) s \(s) p \(p)")
            // The backward is the adjoint: <avgPool(x), g> = <x, avgPoolBackward(g)> for every x.
            let g = randomArray(y.shape, seed: 7)
            let dx = try Op.avgPool2dBackward(kernelSize: k, stride: s, padding: p).evaluate([g, x])
            let lhs = zip(naiveScalars(y), naiveScalars(g)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(naiveScalars(x), naiveScalars(dx)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * Swift.max(1, abs(lhs)))
        }
        let big = randomArray([4, 8, 48, 48], seed: 8)
        assertClose(try Op.avgPool2d(kernelSize: 2, stride: 2, padding: 0).evaluate([big]), Naive.avgPool2d(big, kernel: 2, stride: 2, padding: 0))
    }

    /// The gather backward of non-overlapping windows picks the same position as the forward
    /// pass: the first NaN of a window, the first of equal maxima, the first position of a window
    /// of -infinity; positions outside every window get zero.
    func testBackwardNaNTiesAndInfinity() throws {
        let inf = Float.infinity
        let x = NDArray(shape: [1, 1, 3, 6], scalars: [
            1, .nan, -inf, -inf, 5, 5,
            .nan, 7, -inf, -inf, 5, 5,
            1, 2, 3, 4, 5, 6,
        ])
        let g = NDArray(shape: [1, 1, 1, 3], scalars: [10, 20, 30])
        let dx = try Op.maxPool2dBackward(kernelSize: 2, stride: 2).evaluate([g, x]).scalars
        XCTAssertEqual(dx, [0, 10, 20, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let y = try Op.maxPool2d(kernelSize: 2, stride: 2).evaluate([x]).scalars
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(Array(y[1...]), [-inf, 5])
    }

    /// Large inputs split across the workers, backward for every window kind against the scatter
    /// of a naive loop.
    func testBackwardLarge() throws {
        let x = distinctArray([4, 8, 33, 35], seed: 7)
        for (k, s) in [(2, 2), (3, 3), (3, 2)] {
            let y = Naive.maxPool2d(x, kernel: k, stride: s)
            let g = randomArray(y.shape, seed: 8)
            let xv = naiveScalars(x), gv = naiveScalars(g)
            var expected = [Float](repeating: 0, count: x.count)
            let (h, w, oh, ow) = (33, 35, y.shape[2], y.shape[3])
            for plane in 0..<32 {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var best = -Float.infinity, at = 0
                        for di in 0..<k {
                            for dj in 0..<k {
                                let p = (plane * h + i * s + di) * w + j * s + dj
                                if xv[p] > best { (best, at) = (xv[p], p) }
                            }
                        }
                        expected[at] += gv[(plane * oh + i) * ow + j]
                    }
                }
            }
            assertClose(naiveScalars(try Op.maxPool2dBackward(kernelSize: k, stride: s).evaluate([g, x])), expected, "k \(k) s \(s)")
            XCTAssertEqual(try Op.maxPool2d(kernelSize: k, stride: s).evaluate([x]), y, "k \(k) s \(s)")
        }
    }
}
